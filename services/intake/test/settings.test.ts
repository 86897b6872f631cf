import { ConfigError } from '@gateway/common';
import { loadIntakeSettings } from '../src/settings';

describe('intake settings', () => {
  it('when several settings are bad, then start is refused with a message naming each one', () => {
    let error: unknown;
    try {
      loadIntakeSettings({ INTAKE_PORT: 'eighty', KAFKA_BROKERS: 'localhost', REDIS_URL: 'http://x', LOG_LEVEL: 'loud' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['INTAKE_PORT', 'KAFKA_BROKERS', 'REDIS_URL', 'GATEWAY_KEYS_FILE', 'LOG_LEVEL']) expect(message).toContain(name);
  });

  it('when only the required settings are given, then the documented defaults apply', () => {
    const s = loadIntakeSettings({ KAFKA_BROKERS: '127.0.0.1:9092', REDIS_URL: 'redis://127.0.0.1:6379', GATEWAY_KEYS_FILE: 'keys.json' });
    expect(s).toMatchObject({ http: { port: 8080, bodyLimitBytes: 1048576 }, kafka: { partitions: 12, brokers: ['127.0.0.1:9092'] }, idempotency: { ttlSeconds: 86400 }, topics: { events: 'gateway.events.v1' } });
  });

  it('when TOPIC_PREFIX is set, then the events topic follows it, as in every other service', () => {
    const base = { KAFKA_BROKERS: '127.0.0.1:9092', REDIS_URL: 'redis://127.0.0.1:6379', GATEWAY_KEYS_FILE: 'keys.json' };
    expect(loadIntakeSettings({ ...base, TOPIC_PREFIX: 'thu-nghiem' }).topics.events).toBe('thu-nghiem.gateway.events.v1');
    expect(loadIntakeSettings({ ...base, TOPIC_PREFIX: 'thu-nghiem', EVENTS_TOPIC: 'rieng' }).topics.events).toBe('rieng');
  });
});
