import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deadLetterSchema, statusEventsOf, type ChannelMessageInput } from '@gateway/contracts';
import { hashKey, setKeyCallback } from '@gateway/common';
import { kafkaBrokers, readAllMessages, waitFor } from '@gateway/tests/support/infra';
import { produceMessages, smsMessage } from '@gateway/worker-core/test/support/kafka';
import type { RunningOperator } from '../src/main';
import { startCallbackReceiver, type CallbackReceiver } from './callback-receiver';
import { startSmsPipeline, type SmsPipeline } from './sms-pipeline';
import { client, produceRendered, startTestOperator } from './support';

jest.setTimeout(180_000);

/** Three sending systems, each its own key, source and callback endpoint. */
const SYSTEMS = { lichhop: 'he-thong-hop', vanban: 'he-thong-vanban', cham: 'he-thong-cham' } as const;
type System = keyof typeof SYSTEMS;
const ALL: System[] = ['lichhop', 'vanban', 'cham'];
const sourceOf = (system: System) => `vpthanhuy-${system}`;

describe('status callbacks to the sending systems (real SMS worker, Kafka, Redis and HTTP receivers)', () => {
  let sms: SmsPipeline;
  let operator: RunningOperator;
  let call: ReturnType<typeof client>;
  const secrets: Partial<Record<System, string>> = {};
  const receivers = new Map<System, CallbackReceiver>();
  const receiver = (system: System): CallbackReceiver => {
    const found = receivers.get(system);
    if (!found) throw new Error(`no receiver for ${system}`);
    return found;
  };

  beforeAll(async () => {
    sms = await startSmsPipeline('op-callbacks', () => ({ kind: 'accept' }));
    const keysFile = join(sms.keys.dir, 'keys.json');
    for (const system of ALL) receivers.set(system, await startCallbackReceiver(() => secrets[system] ?? ''));
    writeFileSync(keysFile, JSON.stringify({
      keys: [
        { name: 'xem', sha256: hashKey(sms.keys.viewer), scopes: ['notifications:read'] },
        { name: 'van-thu', sha256: hashKey(sms.keys.operator), scopes: ['notifications:read', 'notifications:resend'] },
        { name: 'quan-tri', sha256: hashKey(sms.keys.admin), scopes: ['admin'] },
        ...ALL.map((system) => ({ name: SYSTEMS[system], sha256: hashKey(`${system}-key`), scopes: ['events:write'], sources: [sourceOf(system)] })),
      ],
    }));
    // As `keys callback <name> --url ...` does; the secret is what the CLI prints once.
    for (const system of ALL) secrets[system] = setKeyCallback(keysFile, SYSTEMS[system], { url: receiver(system).url }).secret;
    operator = await startTestOperator(sms.bed.prefix, sms.keys, {
      env: {
        CALLBACKS_GROUP_ID: `${sms.bed.prefix}-callbacks`,
        CALLBACK_ALLOW_HTTP: 'true',
        CALLBACK_BATCH_WAIT_MS: '2000',
        CALLBACK_MAX_ATTEMPTS: '3',
        CALLBACK_BACKOFF_MS: '50',
        CALLBACK_BACKOFF_MAX_MS: '200',
        CALLBACK_TIMEOUT_MS: '60000',
      },
    });
    call = client(operator.url);
  });

  afterAll(async () => {
    await Promise.all([...receivers.values()].map((r) => r.close()));
    await operator?.stop();
    await sms?.stop();
  });

  /** An event of `system`: the renderer's statuses (with the source) and the SMS for the worker. */
  async function send(system: System, from: number, count: number): Promise<ChannelMessageInput[]> {
    const eventId = `${sms.bed.prefix}-${system}-${from}`;
    const messages = Array.from({ length: count }, (_, i) => smsMessage(sms.bed.prefix, from + i, { eventId }));
    await produceRendered(sms.producer, sms.bed.topics, messages, sourceOf(system));
    await produceMessages(sms.producer, sms.bed.topics.sms, messages);
    return messages;
  }
  const processedItems = (system: System) => receiver(system).processed.flatMap((b) => statusEventsOf(b));

  it('when the receiver answers 503 twice then 200, then every SMS status arrives batched, signed and processed once', async () => {
    receiver('lichhop').mode = (nth) => (nth <= 2 ? 503 : 200);
    const messages = await send('lichhop', 1, 6);
    const ids = messages.map((m) => m.id);
    await waitFor(() => ids.every((id) => processedItems('lichhop').some((e) => e.messageId === id && e.status === 'sent')), { timeoutMs: 60_000, message: 'every sent status processed by the receiver' });

    const requests = receiver('lichhop').requests;
    expect(requests.every((r) => r.verified)).toBe(true);
    expect(requests.slice(0, 2).map((r) => r.answered)).toEqual([503, 503]);
    // The refused batch came again with the same id; processing by id sees each status once.
    expect(requests.slice(0, 3).map((r) => r.batch.id)).toEqual(Array(3).fill(requests[0]?.batch.id));
    expect(requests.every((r) => r.deliveryHeader === r.batch.id)).toBe(true);
    const sent = processedItems('lichhop').filter((e) => e.status === 'sent').map((e) => e.messageId);
    expect(sent.sort()).toEqual([...ids].sort());
    expect(receiver('lichhop').processed.length).toBeLessThan(6);
    expect(processedItems('lichhop')[0]).toMatchObject({ eventId: messages[0]?.eventId, channel: 'sms' });
    expect(processedItems('lichhop').every((e) => e.recipientId?.startsWith(`${sms.bed.prefix}-person-`))).toBe(true);
    expect(processedItems('lichhop').some((e) => e.status === 'rendered')).toBe(false);
    // The other systems heard nothing of this event.
    expect(receiver('vanban').requests).toEqual([]);
  });

  it('when an endpoint always fails, then its batch is dead-lettered with the reason, and replayed through the operator API once it recovers', async () => {
    receiver('vanban').mode = () => 500;
    const messages = await send('vanban', 100, 2);
    const letters = await readAllMessages(kafkaBrokers(), sms.bed.topics.deadLetter, { expected: 1, timeoutMs: 60_000 });
    const letter = deadLetterSchema.parse(JSON.parse(letters.map((l) => l.value).find((v) => v.includes(SYSTEMS.vanban)) ?? '{}'));
    expect(letter.reason).toBe(`callback to key "${SYSTEMS.vanban}" failed: HTTP 500 after 3 attempt(s)`);
    const dead = await call('GET', `/v1/callbacks/dead?key=${SYSTEMS.vanban}`, sms.keys.viewer);
    expect(Number(dead.json.total)).toBeGreaterThan(0);
    expect(processedItems('vanban')).toEqual([]);

    expect((await call('POST', '/v1/callbacks/replay', sms.keys.viewer, { key: SYSTEMS.vanban })).status).toBe(403);
    receiver('vanban').mode = () => 200;
    // Both sent statuses may not have died yet (two partitions): replay until all arrived.
    await waitFor(async () => {
      const replay = await call('POST', '/v1/callbacks/replay', sms.keys.operator, { key: SYSTEMS.vanban });
      expect(replay.status).toBe(200);
      expect(replay.json.failed).toBe(0);
      return messages.every((m) => processedItems('vanban').some((e) => e.messageId === m.id && e.status === 'sent'));
    }, { timeoutMs: 30_000, intervalMs: 500, message: 'replayed statuses processed' });
    expect((await call('GET', `/v1/callbacks/dead?key=${SYSTEMS.vanban}`, sms.keys.viewer)).json.total).toBe(0);
    expect(processedItems('vanban').filter((e) => e.status === 'sent')).toHaveLength(messages.length);
    const audit = await call('GET', '/v1/audit?action=callbacks.replay', sms.keys.admin);
    expect(audit.json.items).toEqual(expect.arrayContaining([expect.objectContaining({ actor: 'van-thu', outcome: 'ok' }), expect.objectContaining({ actor: 'xem', outcome: 'denied' })]));
  });

  it('when an endpoint never answers, then the SMS of another event is still delivered while its request hangs', async () => {
    receiver('cham').mode = () => 'silence';
    await send('cham', 200, 1);
    await waitFor(() => receiver('cham').requests.length > 0, { timeoutMs: 60_000, message: 'the slow endpoint got its request' });
    const [second] = await send('lichhop', 300, 1);
    await waitFor(() => sms.twilio.acceptedCount(second?.id ?? '') === 1, { timeoutMs: 60_000, message: 'the second event\'s SMS delivered' });
    // The slow endpoint's first request is still open: its answer (or timeout) was not needed.
    expect(receiver('cham').requests).toHaveLength(1);
    expect(receiver('cham').processed).toEqual([]);
  });
});
