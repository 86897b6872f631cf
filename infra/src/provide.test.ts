import { freePort } from './ports';
import { dockerAvailable, provideKafka, provideRedis } from './provide';
import { redisCommand } from './redis-local';

describe('provideKafka / provideRedis', () => {
  it('when KAFKA_BROKERS is set, then that cluster is used as is and stop() leaves it alone', async () => {
    const kafka = await provideKafka({ KAFKA_BROKERS: ' kafka-1:9092, kafka-2:9092 ' });
    expect(kafka.kind).toBe('external');
    expect(kafka.brokers).toEqual(['kafka-1:9092', 'kafka-2:9092']);
    await expect(kafka.stop()).resolves.toBeUndefined();
  });

  it('when REDIS_URL is set, then that Redis is used as is and stop() leaves it alone', async () => {
    const redis = await provideRedis({ REDIS_URL: 'redis://cache.example:6380/2' });
    expect(redis.kind).toBe('external');
    expect(redis.url).toBe('redis://cache.example:6380/2');
    await expect(redis.stop()).resolves.toBeUndefined();
  });

  it('when nothing is set and containers are ruled out, then it starts a local redis-server', async () => {
    const redis = await provideRedis({ GATEWAY_TEST_INFRA: 'local' });
    try {
      expect(redis.kind).toBe('local');
      expect(await redisCommand(redis.url, ['PING'])).toBe('PONG');
    } finally {
      await redis.stop();
    }
  });

  it('when probing for Docker, then it answers within 2 s and says no for an engine that is not there', async () => {
    const started = Date.now();
    expect(typeof (await dockerAvailable({}))).toBe('boolean');
    expect(await dockerAvailable({ DOCKER_HOST: 'unix:///nonexistent/docker.sock' })).toBe(false);
    expect(await dockerAvailable({ DOCKER_HOST: `tcp://127.0.0.1:${await freePort()}` })).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000 * 3);
  });
});
