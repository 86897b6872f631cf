import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BusPublisher as Producer } from '@gateway/bus';
import { withPrefix, type DeliveryStatus } from '@gateway/contracts';
import { createLogger, generateKey, hashKey } from '@gateway/common';
import { createTopics, kafkaBrokers, redisUrl, testBus, uniqueName, waitFor } from '@gateway/tests/support/infra';
import { loadOperatorSettings } from '../src/settings';
import { startOperator, type RunningOperator } from '../src/main';

describe('GET /v1/notifications/:id from the projected status topic', () => {
  const prefix = uniqueName('op');
  const topics = withPrefix(prefix);
  const dir = mkdtempSync(join(tmpdir(), 'gateway-operator-test-'));
  const reader = generateKey();
  const writer = generateKey();
  let operator: RunningOperator;
  let producer: Producer;

  beforeAll(async () => {
    await createTopics(kafkaBrokers(), [topics.status], 3);
    writeFileSync(
      join(dir, 'keys.json'),
      JSON.stringify({ keys: [{ name: 'xem', sha256: hashKey(reader), scopes: ['notifications:read'] }, { name: 'gui', sha256: hashKey(writer), scopes: ['events:write'] }] }),
    );
    operator = await startOperator(
      loadOperatorSettings({ OPERATOR_PORT: '0', KAFKA_BROKERS: kafkaBrokers().join(','), REDIS_URL: redisUrl(), REDIS_KEY_PREFIX: `${prefix}:`, GATEWAY_KEYS_FILE: join(dir, 'keys.json'), TOPIC_PREFIX: prefix, STATUS_GROUP_ID: `${prefix}-status`, LOG_LEVEL: 'silent' }),
      { logger: createLogger({ name: 'operator-test', level: 'silent' }) },
    );
    producer = testBus().publisher();
    await producer.connect();
  }, 60000);

  afterAll(async () => {
    await producer?.disconnect();
    await operator?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (id: string, key: string | null = reader) => fetch(`${operator.url}/v1/notifications/${id}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

  it('when a message went through retries to sent and delivered, then its whole history is shown, duplicates once, and a late echo does not undo delivered', async () => {
    const id = `m-${prefix}`;
    const base = { messageId: id, eventId: 'evt-1', channel: 'sms' as const };
    const statuses: DeliveryStatus[] = [
      { ...base, status: 'rendered', at: '2025-09-29T01:00:00.000Z' },
      { ...base, status: 'sending', attempt: 1, at: '2025-09-29T01:00:01.000Z' },
      { ...base, status: 'retrying', attempt: 1, at: '2025-09-29T01:00:01.500Z', nextAttemptAt: '2025-09-29T01:00:11.500Z', error: { class: 'transient', code: '500', message: 'Twilio 500' } },
      { ...base, status: 'sending', attempt: 2, at: '2025-09-29T01:00:12.000Z' },
      { ...base, status: 'sent', attempt: 2, at: '2025-09-29T01:00:12.300Z', provider: 'twilio', providerMessageId: 'SM0123' },
      { ...base, status: 'delivered', attempt: 2, at: '2025-09-29T01:00:20.000Z', provider: 'twilio' },
      // at-least-once: the same "sent" again, and a late "sending" of attempt 2
      { ...base, status: 'sent', attempt: 2, at: '2025-09-29T01:00:12.300Z', provider: 'twilio', providerMessageId: 'SM0123' },
      { ...base, status: 'sending', attempt: 2, at: '2025-09-29T01:00:12.000Z' },
    ];
    // A marker on the same key (same partition, applied after everything before it) tells when
    // the echoes have been applied too.
    const marker: DeliveryStatus = { ...base, messageId: `${id}-marker`, status: 'rendered', at: '2025-09-29T02:00:00.000Z' };
    await producer.publish([...statuses, marker].map((s) => ({ topic: topics.status, key: id, value: JSON.stringify(s) })));
    await waitFor(async () => (await get(marker.messageId)).status === 200, { timeoutMs: 30000 });
    const view = (await (await get(id)).json()) as { history: unknown[]; status: string; attempts: number; provider?: string; providerMessageId?: string; lastError?: { code?: string } };
    expect(view.history).toHaveLength(6);
    expect(view.status).toBe('delivered');
    expect(view.attempts).toBe(2);
    expect(view.provider).toBe('twilio');
    expect(view.providerMessageId).toBe('SM0123');
    expect(view.lastError?.code).toBe('500');
  });

  it('when there is no key, or a key without notifications:read, then 401 / 403; an unknown id is 404', async () => {
    expect((await get('m-x', null)).status).toBe(401);
    expect((await get('m-x', writer)).status).toBe(403);
    expect((await get('m-does-not-exist')).status).toBe(404);
  });
});
