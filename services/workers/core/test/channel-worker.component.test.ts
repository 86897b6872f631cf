import { withPrefix, type DeadLetter, type SmsMessage, type Topics } from '@gateway/contracts';
import type { Bus, BusPublisher } from '@gateway/bus';
import { MemoryBus } from '@gateway/memory-bus';
import { createLogger } from '@gateway/common';
import { Redis } from 'ioredis';
import { createMemoryLedger, createMemorySubjectVersions, createRedisSubjectVersions, type SharedLedger, type SubjectVersions } from '@gateway/delivery-ledger';
import { redisUrl, uniqueName, waitFor } from '@gateway/tests/support/infra';
import { ProviderError, type ChannelSender, type SendResult } from '../src/domain/ports';
import { loadWorkerSettings } from '../src/settings';
import { MemoryDelayQueue, MemoryRateLimiter, type Delays, type RateLimiter } from '../src';
import { startChannelWorker, workerLedgerOptions, type ChannelWorkerOptions, type RunningChannelWorker } from '../src/worker';
import { collectTopic, connectedProducer, createTestTopics, produceMessages, smsMessage, statusesOf, testKafka, workerTestEnv } from './support/kafka';

jest.setTimeout(120_000);

type Script = (message: SmsMessage, nth: number) => Promise<SendResult>;

/** A sender that counts calls per message id and answers as the test says. */
function fakeSender(script: Script = async () => ({ provider: 'fake', providerMessageId: 'p1' })): ChannelSender<SmsMessage> & { calls: Map<string, number> } {
  const calls = new Map<string, number>();
  return {
    name: 'fake',
    calls,
    async send(message) {
      const nth = (calls.get(message.id) ?? 0) + 1;
      calls.set(message.id, nth);
      return script(message, nth);
    },
  };
}

/**
 * The worker's conformance suite: retry delays, dead letters and claims behave the same on Kafka
 * and Redis (production) and on the embedded mode's in-process bus and in-memory stores.
 */
interface MemoryState {
  ledger: SharedLedger;
  versions: SubjectVersions;
  delay: Delays;
  limiter: RateLimiter;
}

const INFRA: Array<[string, () => { bus: Bus; memory?: MemoryState }]> = [
  ['a real broker and Redis', () => ({ bus: testKafka('worker-test') })],
  ['the embedded bus and store', () => ({ bus: new MemoryBus(), memory: { ledger: createMemoryLedger(), versions: createMemorySubjectVersions(), delay: new MemoryDelayQueue(), limiter: new MemoryRateLimiter() } })],
];

describe.each(INFRA)('channel worker core with a fake sender, on %s', (_name, makeInfra) => {
  let producer: BusPublisher;
  let bus: Bus;
  let memory: MemoryState | undefined;
  const cleanups: Array<() => Promise<unknown>> = [];
  const logger = createLogger({ name: 'core-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });

  let redis: Redis | undefined;
  beforeAll(async () => {
    ({ bus, memory } = makeInfra());
    producer = await connectedProducer(bus);
    if (!memory) redis = new Redis(redisUrl());
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });
  afterAll(async () => {
    await producer?.disconnect();
    await redis?.quit();
  });

  async function setup(name: string, extra: Record<string, string> = {}) {
    const prefix = uniqueName(name);
    const topics: Topics = withPrefix(prefix);
    await createTestTopics([topics.sms, topics.retry.sms, topics.status, topics.deadLetter], 2, memory ? bus : undefined);
    const settings = loadWorkerSettings('sms', workerTestEnv(prefix, {
      SMS_WORKER_GROUP_ID: `${prefix}-group`,
      SMS_RETRY_MAX_ATTEMPTS: '3',
      SMS_RETRY_BASE_MS: '20',
      SMS_RETRY_CAP_MS: '200',
      SEND_TIMEOUT_MS: '20000',
      CLAIM_LEASE_MS: '30000',
      RATE_LIMIT_MAX_WAIT_MS: '1000',
      RETRY_MOVER_POLL_MS: '200',
      ...extra,
    }));
    const statuses = await collectTopic(topics.status, bus);
    const deadLetters = await collectTopic(topics.deadLetter, bus);
    cleanups.push(statuses.stop, deadLetters.stop);
    const start = async (sender: ChannelSender<SmsMessage>, options: Pick<ChannelWorkerOptions<'sms'>, 'keepSentCopy'> = {}): Promise<RunningChannelWorker> => {
      // Embedded: the bus and the in-memory stores, the ledger through this worker's own port.
      const embedded = memory ? { bus, stores: { ledger: memory.ledger.forWorker(workerLedgerOptions(settings)), versions: memory.versions, delay: memory.delay, limiter: memory.limiter } } : {};
      const worker = await startChannelWorker({ channel: 'sms', sender, settings, logger, topics, ...embedded, ...options });
      cleanups.push(() => worker.stop());
      return worker;
    };
    // Where the renderer would record each meeting's latest version: what this worker reads.
    const versions: SubjectVersions | undefined = memory?.versions ?? (redis && createRedisSubjectVersions(redis, { prefix: settings.redis.keyPrefix }));
    if (!versions) throw new Error('no subject versions store');
    return { prefix, topics, statuses, deadLetters, start, versions };
  }

  it('when records are not valid messages of the channel, then each goes to the dead-letter topic with its reason and is committed', async () => {
    const t = await setup('core-invalid');
    const sender = fakeSender();
    const worker = await t.start(sender);
    const valid = smsMessage(t.prefix, 1);
    const { text: _text, encoding: _encoding, segments: _segments, diacritics: _diacritics, ...common } = smsMessage(t.prefix, 2) as SmsMessage;
    const wrongChannel = { ...common, channel: 'email', subject: 'Giấy mời họp', html: '<p>Kính mời</p>', text: 'Kính mời' };
    await producer.publish([
      { topic: t.topics.sms, key: 'k1', value: 'không phải JSON' },
      { topic: t.topics.sms, key: 'k1', value: JSON.stringify({ ...smsMessage(t.prefix, 3), encoding: 'UTF-8' }) },
      { topic: t.topics.sms, key: 'k1', value: JSON.stringify(wrongChannel) },
      { topic: t.topics.sms, key: 'k1', value: JSON.stringify(valid) },
    ]);
    await waitFor(() => t.deadLetters.records.length >= 3 && sender.calls.get(valid.id) === 1, { timeoutMs: 30_000, message: 'three dead letters and the valid message sent' });
    const letters = t.deadLetters.json<DeadLetter>();
    expect(letters.map((l) => l.reason)).toEqual([expect.stringMatching(/^not JSON/), 'the message does not match the contracts', expect.stringMatching(/email message on the sms worker/)]);
    expect(letters[1]?.issues?.some((i) => i.path === 'encoding')).toBe(true);
    expect(letters.every((l) => l.sourceTopic === t.topics.sms && l.service === 'worker-sms')).toBe(true);
    expect(letters[0]?.value).toBe('không phải JSON');
    expect(worker.counters().invalid).toBe(3);

    // Committed: a new replica in the same group does not see them again.
    await worker.stop();
    const again = await t.start(fakeSender());
    await again.joined;
    await produceMessages(producer, t.topics.sms, [smsMessage(t.prefix, 4)]);
    await waitFor(() => again.counters().sent === 1, { timeoutMs: 30_000, message: 'the next message sent' });
    expect(again.counters().invalid).toBe(0);
    expect(t.deadLetters.records).toHaveLength(3);
  });

  it('when a provider keeps failing transiently, then after the last attempt the message is dead: dead status, dead letter and a failed record', async () => {
    const t = await setup('core-dead');
    const sender = fakeSender(async () => Promise.reject(new ProviderError('503 from provider', 'transient', { provider: 'fake', code: '503', answer: 'Service Unavailable' })));
    const worker = await t.start(sender);
    const message = smsMessage(t.prefix, 1);
    await produceMessages(producer, t.topics.sms, [message]);
    await waitFor(() => statusesOf(t.statuses.records, message.id).some((s) => s.status === 'dead'), { timeoutMs: 30_000, message: 'a dead status' });
    expect(sender.calls.get(message.id)).toBe(3);
    const history = statusesOf(t.statuses.records, message.id).map((s) => `${s.status}${s.attempt ?? ''}`);
    expect(history).toEqual(['queued', 'sending1', 'retrying1', 'sending2', 'retrying2', 'sending3', 'dead3']);
    const record = await worker.ledger.getFailed(message.id);
    expect(record).toMatchObject({ state: 'dead', errorClass: 'transient', attempts: 3, code: '503', providerAnswer: 'Service Unavailable', provider: 'fake' });
    expect(record?.reason).toMatch(/gave up after 3 attempts/);
    await waitFor(() => t.deadLetters.records.length === 1, { timeoutMs: 10_000, message: 'one dead letter' });
    expect(t.deadLetters.json<DeadLetter>()[0]?.sourceTopic).toBe(t.topics.retry.sms);
  });

  it('when a message that was already sent comes again, then the provider is not called and its sent status is repeated', async () => {
    const t = await setup('core-dup');
    const sender = fakeSender();
    const worker = await t.start(sender);
    const message = smsMessage(t.prefix, 1);
    await produceMessages(producer, t.topics.sms, [message]);
    await waitFor(() => worker.counters().sent === 1, { timeoutMs: 30_000, message: 'sent once' });
    await produceMessages(producer, t.topics.sms, [message, message]);
    await waitFor(() => worker.counters().duplicate === 2, { timeoutMs: 30_000, message: 'two duplicates recognised' });
    expect(sender.calls.get(message.id)).toBe(1);
    await waitFor(() => statusesOf(t.statuses.records, message.id).filter((s) => s.status === 'sent').length === 3, { timeoutMs: 10_000, message: 'the sent status repeated' });
    const sent = statusesOf(t.statuses.records, message.id).filter((s) => s.status === 'sent');
    expect(new Set(sent.map((s) => `${s.at}|${s.providerMessageId}|${s.attempt}`)).size).toBe(1);
  });

  it('when the worker restarts while a retry waits, then the new replica sends it when due (the delay is in Redis, not in the process)', async () => {
    const t = await setup('core-delay');
    const first = await t.start(fakeSender(async () => Promise.reject(new ProviderError('busy', 'transient', { provider: 'fake', retryAfterMs: 3_000 }))));
    const message = smsMessage(t.prefix, 1);
    await produceMessages(producer, t.topics.sms, [message]);
    await waitFor(() => first.counters().retrying === 1, { timeoutMs: 30_000, message: 'a retry scheduled' });
    await first.stop();

    const sender = fakeSender();
    const second = await t.start(sender);
    await waitFor(() => statusesOf(t.statuses.records, message.id).some((s) => s.status === 'sent'), { timeoutMs: 30_000, message: 'sent by the new replica' });
    const retrying = statusesOf(t.statuses.records, message.id).find((s) => s.status === 'retrying');
    const sent = statusesOf(t.statuses.records, message.id).find((s) => s.status === 'sent');
    expect(sent?.attempt).toBe(2);
    expect(Date.parse(sent?.at ?? '')).toBeGreaterThanOrEqual(Date.parse(retrying?.nextAttemptAt ?? '') - 5);
    expect(sender.calls.get(message.id)).toBe(1);
    expect(second.counters().moved).toBe(1);
  });

  it('when a meeting is moved while its invitation waits for a retry, then the retry is superseded (not sent) and the change notice goes', async () => {
    const t = await setup('core-superseded');
    const meeting = { kind: 'meeting', source: 'vpthanhuy-lichhop', id: `${t.prefix}-H1` } as const;
    await t.versions.raise(meeting, 0);
    const invitation = smsMessage(t.prefix, 1, { about: { ...meeting, version: 0 } });
    const change = smsMessage(t.prefix, 2, { eventType: 'meeting.updated', about: { ...meeting, version: 1 } });
    const sender = fakeSender(async (message, nth) => {
      if (message.id === invitation.id && nth === 1) {
        // The meeting is moved while the provider is down: the renderer raises its version.
        await t.versions.raise(meeting, 1);
        throw new ProviderError('provider down', 'transient', { provider: 'fake', retryAfterMs: 50 });
      }
      return { provider: 'fake', providerMessageId: `p-${message.id}` };
    });
    const worker = await t.start(sender);
    await produceMessages(producer, t.topics.sms, [invitation]);
    await waitFor(() => statusesOf(t.statuses.records, invitation.id).some((s) => s.status === 'superseded'), { timeoutMs: 30_000, message: 'the invitation superseded' });
    await produceMessages(producer, t.topics.sms, [change]);
    await waitFor(() => statusesOf(t.statuses.records, change.id).some((s) => s.status === 'sent'), { timeoutMs: 30_000, message: 'the change sent' });
    const superseded = statusesOf(t.statuses.records, invitation.id).find((s) => s.status === 'superseded');
    expect(superseded).toMatchObject({ attempt: 2, reason: 'Đã có thông báo mới hơn cho cuộc họp này' });
    expect(statusesOf(t.statuses.records, invitation.id).some((s) => s.status === 'sent')).toBe(false);
    expect(sender.calls.get(invitation.id)).toBe(1);
    expect(worker.counters().superseded).toBe(1);
  });

  it('when the worker is stopped mid-batch, then what started finishes with its statuses, and a new replica sends the rest, each once', async () => {
    const t = await setup('core-stop', { WORKER_CONCURRENCY: '4' });
    const slow = fakeSender(async () => {
      await new Promise((r) => setTimeout(r, 100));
      return { provider: 'fake' };
    });
    const worker = await t.start(slow);
    const messages = Array.from({ length: 80 }, (_, i) => smsMessage(t.prefix, i));
    await produceMessages(producer, t.topics.sms, messages);
    await waitFor(() => worker.counters().sent >= 8, { timeoutMs: 30_000, message: 'some sent' });
    await worker.stop();
    const sentByFirst = worker.counters().sent;
    expect(sentByFirst).toBeLessThan(messages.length);
    // Every send that started also got its status out before the stop returned.
    await waitFor(() => new Set(statusesOf(t.statuses.records).filter((s) => s.status === 'sent').map((s) => s.messageId)).size >= slow.calls.size, { timeoutMs: 10_000, message: 'statuses of the first replica' });

    const rest = fakeSender();
    await t.start(rest);
    await waitFor(() => messages.every((m) => (slow.calls.get(m.id) ?? 0) + (rest.calls.get(m.id) ?? 0) >= 1), { timeoutMs: 30_000, message: 'every message sent' });
    for (const m of messages) expect((slow.calls.get(m.id) ?? 0) + (rest.calls.get(m.id) ?? 0)).toBe(1);
  });

  it('when a send outlives the worker\'s time limit and is accepted late, then it is marked sent (its copy kept) and the retry does not send it again', async () => {
    const t = await setup('core-late', { SEND_TIMEOUT_MS: '400', CLAIM_LEASE_MS: '5400', RATE_LIMIT_MAX_WAIT_MS: '100' });
    const sender = fakeSender(async (_m, nth) => {
      if (nth === 1) await new Promise((r) => setTimeout(r, 1500));
      return { provider: 'fake', providerMessageId: `late-${nth}` };
    });
    const worker = await t.start(sender, { keepSentCopy: { ttlMs: 60_000, providers: ['fake'] } });
    const message = smsMessage(t.prefix, 1);
    await produceMessages(producer, t.topics.sms, [message]);
    await waitFor(() => worker.counters().duplicate === 1, { timeoutMs: 30_000, message: 'the retry found the message sent' });
    // Kept like any send the provider accepted: a later "undelivered" can still be resent.
    expect(await worker.ledger.recordUndelivered(message.id, { at: new Date().toISOString(), provider: 'fake' })).toMatchObject({ state: 'undelivered', message: { id: message.id } });
    expect(sender.calls.get(message.id)).toBe(1);
    const history = statusesOf(t.statuses.records, message.id);
    const retrying = history.find((s) => s.status === 'retrying');
    expect(retrying?.error).toMatchObject({ code: 'TIMEOUT' });
    // Not before the claim's lease ran out: a late answer had until then to mark it.
    expect(Date.parse(retrying?.nextAttemptAt ?? '') - Date.parse(history.find((s) => s.status === 'sending')?.at ?? '')).toBeGreaterThanOrEqual(5_000);
    expect(history.filter((s) => s.status === 'sent').every((s) => s.providerMessageId === 'late-1' && s.attempt === 1)).toBe(true);
  });
});
