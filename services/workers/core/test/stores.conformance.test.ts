import { Redis } from 'ioredis';
import type { ChannelMessage } from '@gateway/contracts';
import { channelMessageSchema } from '@gateway/contracts';
import { redisUrl, uniqueName, waitFor } from '../../../../tests/support/infra';
import { MemoryKv } from '@gateway/common';
import { ClaimStore, type ClaimStoreOptions, type Claims } from '../src/data-access/claims';
import { DelayQueue, type DelayedItem, type Delays } from '../src/data-access/delay-queue';
import { FailedRecordStore, type FailedRecords, type UnreadableFailedRecord } from '../src/data-access/failed-records';
import { MemoryClaimStore, MemoryDelayQueue, MemoryFailedRecords, MemoryRateLimiter } from '../src/data-access/memory';
import { workerKeys, type WorkerKeys } from '../src/data-access/keys';
import { rateLimited, RedisRateLimiter, type RateLimiter } from '../src/data-access/rate-limiter';
import { ThrottledError } from '../src/domain/errors';
import { smsMessage } from './support/kafka';

/** One test's share of a store: its own Redis keys, or its own in-memory stores (two "replicas" share them). */
interface Scope {
  keys: WorkerKeys;
  kv: MemoryKv;
  delay: MemoryDelayQueue;
  limiter: MemoryRateLimiter;
  failed: MemoryFailedRecords;
  /** The memory adapter's records as JSON, for writing what Redis could hold. */
  failedJson: Map<string, string>;
  /** What the failed-record reads reported as unreadable. */
  unreadable: UnreadableFailedRecord[];
}

/** The same rules on both adapters: Redis (production) and memory (embedded mode). `client` 0 or 1: two replicas. */
interface Backend {
  claims(scope: Scope, client: 0 | 1, options: ClaimStoreOptions): Claims;
  delay(scope: Scope, client: 0 | 1): Delays;
  limiter(scope: Scope, client: 0 | 1): RateLimiter;
  /** A replica's claims and the failed records that mark them final. */
  ledger(scope: Scope, client: 0 | 1, options: ClaimStoreOptions): { claims: Claims; failed: FailedRecords };
  /** Writes a value where the adapter keeps the record of `messageId`, as a bug or another version could. */
  putRawFailed(scope: Scope, messageId: string, raw: string, at: string): Promise<void>;
}

let redis: Redis;
let other: Redis;
beforeAll(() => {
  redis = new Redis(redisUrl());
  other = new Redis(redisUrl());
});
afterAll(async () => {
  await redis.quit();
  await other.quit();
});
const client = (i: 0 | 1) => (i === 0 ? redis : other);

const BACKENDS: Array<[string, Backend]> = [
  [
    'Redis',
    {
      claims: (s, i, options) => new ClaimStore(client(i), s.keys, options),
      delay: (s, i) => new DelayQueue(client(i), s.keys),
      limiter: (s, i) => new RedisRateLimiter(client(i), s.keys.rate),
      ledger: (s, i, options) => {
        const claims = new ClaimStore(client(i), s.keys, options);
        return { claims, failed: new FailedRecordStore(client(i), s.keys, { ttlMs: 60_000, onUnreadable: (p) => s.unreadable.push(p) }).withClaims(claims) };
      },
      putRawFailed: async (s, messageId, raw, at) => {
        await redis.multi().set(s.keys.failed(messageId), raw, 'PX', 60_000).zadd(s.keys.failedIndex, Date.parse(at), messageId).exec();
      },
    },
  ],
  [
    'memory',
    {
      claims: (s, _i, options) => new MemoryClaimStore(options, s.kv),
      delay: (s) => s.delay,
      limiter: (s) => s.limiter,
      ledger: (s, _i, options) => {
        const claims = new MemoryClaimStore(options, s.kv);
        return { claims, failed: s.failed.withClaims(claims) };
      },
      putRawFailed: async (s, messageId, raw) => {
        s.failedJson.set(messageId, raw);
      },
    },
  ],
];

describe.each(BACKENDS)('the worker stores on %s', (_name, backend) => {
  const keys = (): Scope => {
    const failedJson = new Map<string, string>();
    const unreadable: UnreadableFailedRecord[] = [];
    const failed = new MemoryFailedRecords({ stored: failedJson, onUnreadable: (p) => unreadable.push(p) });
    return { keys: workerKeys(`${uniqueName('stores')}:`, 'sms'), kv: new MemoryKv(), delay: new MemoryDelayQueue(), limiter: new MemoryRateLimiter(), failed, failedJson, unreadable };
  };

  describe('claims', () => {
    const options = { leaseMs: 2_000, waitMs: 0, doneTtlMs: 60_000, owner: 'test', pollMs: 20 };

    it('when two replicas claim the same message at once, then exactly one gets it', async () => {
      const k = keys();
      const a = backend.claims(k, 0, options);
      const b = backend.claims(k, 1, { ...options, owner: 'other' });
      const results = await Promise.all([a.acquire('m1'), b.acquire('m1'), a.acquire('m1'), b.acquire('m1')]);
      expect(results.filter((r) => r.kind === 'acquired')).toHaveLength(1);
      expect(results.filter((r) => r.kind === 'busy')).toHaveLength(3);
    });

    it('when the message was marked sent, then a later claim reports it done with the provider, without taking it', async () => {
      const store = backend.claims(keys(), 0, options);
      expect((await store.acquire('m1')).kind).toBe('acquired');
      await store.markSent('m1', { at: '2025-09-29T01:00:00.000Z', attempt: 2, provider: 'esms', providerMessageId: 'abc' });
      expect(await store.acquire('m1')).toEqual({ kind: 'done', claim: { state: 'sent', at: '2025-09-29T01:00:00.000Z', attempt: 2, provider: 'esms', providerMessageId: 'abc' } });
    });

    it('when another owner holds the claim, then a waiter gets it as soon as it is released', async () => {
      const k = keys();
      const holder = backend.claims(k, 0, options);
      const waiter = backend.claims(k, 1, { ...options, owner: 'waiter', waitMs: 5_000 });
      const held = await holder.acquire('m1');
      if (held.kind !== 'acquired') throw new Error('expected the claim');
      // Read after each attempt that found the claim taken: proof the waiter is really waiting.
      let busyAttempts = 0;
      const waiting = waiter.acquire('m1', {
        get aborted() {
          busyAttempts += 1;
          return false;
        },
      });
      await waitFor(() => busyAttempts >= 1, { message: 'the waiter found the claim taken' });
      await holder.release('m1', held.token);
      expect((await waiting).kind).toBe('acquired');
    });

    it('when the owner died holding the claim, then the claim is free again after the lease', async () => {
      const k = keys();
      const dead = backend.claims(k, 0, { ...options, leaseMs: 300 });
      const waiter = backend.claims(k, 1, { ...options, owner: 'waiter', waitMs: 5_000 });
      expect((await dead.acquire('m1')).kind).toBe('acquired');
      const started = Date.now();
      expect((await waiter.acquire('m1')).kind).toBe('acquired');
      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    });

    it('when a claim is released with another owner\'s token, then it stays', async () => {
      const k = keys();
      const store = backend.claims(k, 0, options);
      expect((await store.acquire('m1')).kind).toBe('acquired');
      await store.release('m1', 'someone-else:1:000000');
      expect(await store.peek('m1')).toMatchObject({ state: 'sending' });
    });
  });

  describe('delay queue', () => {
    const item = (id: string, dueAt: number): DelayedItem => ({
      message: channelMessageSchema.parse(smsMessage('dq', Number(id.replace(/\D/g, '')) || 1, { id })) as ChannelMessage,
      key: 'person',
      headers: {},
      dueAt,
      scheduledAt: Date.now(),
    });

    it('when items are due, then a take returns them once and hides them for the lease; what is not due stays', async () => {
      const q = backend.delay(keys(), 0);
      const now = Date.now();
      await q.schedule(item('m1', now - 10));
      await q.schedule(item('m2', now - 5));
      await q.schedule(item('m3', now + 60_000));
      const taken = await q.take(now, 30_000, 10);
      expect(taken.map((t) => t.id).sort()).toEqual(['m1', 'm2']);
      expect(await q.take(now, 30_000, 10)).toEqual([]);
      // After the lease (a mover died between take and remove) they come back.
      expect((await q.take(now + 30_001, 30_000, 10)).map((t) => t.id).sort()).toEqual(['m1', 'm2']);
      expect(await q.nextDue()).toBe(now + 60_000);
    });

    it('when two movers take at once, then no item goes to both', async () => {
      const k = keys();
      const q1 = backend.delay(k, 0);
      const q2 = backend.delay(k, 1);
      const now = Date.now();
      for (let i = 1; i <= 50; i += 1) await q1.schedule(item(`m${i}`, now - i));
      const [a, b] = await Promise.all([q1.take(now, 30_000, 30), q2.take(now, 30_000, 30)]);
      const ids = [...a, ...b].map((t) => t.id);
      expect(ids).toHaveLength(50);
      expect(new Set(ids).size).toBe(50);
    });

    it('when the message was scheduled again after it was taken, then removing the taken copy keeps the new schedule', async () => {
      const q = backend.delay(keys(), 0);
      const now = Date.now();
      await q.schedule(item('m1', now - 1));
      const [taken] = await q.take(now, 30_000, 10);
      await q.schedule({ ...item('m1', now + 5_000), scheduledAt: Date.now() + 1 });
      expect(await q.remove('m1', taken?.raw ?? '')).toBe(false);
      expect(await q.size()).toBe(1);
      expect(await q.nextDue()).toBe(now + 5_000);
    });
  });

  describe('rate limiter (GCRA, one clock for every replica)', () => {
    it('when two clients share a bucket of 10/s, then their booked slots are 100 ms apart in one sequence', async () => {
      const k = keys();
      const a = backend.limiter(k, 0);
      const b = backend.limiter(k, 1);
      const limit = { perSecond: 10, burst: 1, maxWaitMs: 5_000 };
      // When each send may go: the moment the answer arrived plus the wait it was told.
      const booked = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).reserve('twilio', limit).then((slot) => ({ ok: slot.ok, at: Date.now() + slot.waitMs }))));
      expect(booked.every((s) => s.ok)).toBe(true);
      const times = booked.map((s) => s.at).sort((x, y) => x - y);
      expect((times[9] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(850);
      for (let i = 1; i < times.length; i += 1) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(70);
    });

    it('when the wait would exceed the bound, then no slot is booked and the send is throttled (not failed)', async () => {
      const k = keys();
      const limiter = backend.limiter(k, 0);
      const limit = { perSecond: 2, burst: 1, maxWaitMs: 600 };
      expect((await limiter.reserve('b', limit)).ok).toBe(true);
      expect((await limiter.reserve('b', limit)).ok).toBe(true);
      const third = await limiter.reserve('b', limit);
      expect(third.ok).toBe(false);
      expect(third.waitMs).toBeGreaterThan(600);
      let calls = 0;
      const sender = rateLimited({ name: 'p', send: async () => ({ provider: 'p', providerMessageId: String(++calls) }) }, limiter, limit, 'b');
      await expect(sender.send({} as ChannelMessage)).rejects.toBeInstanceOf(ThrottledError);
      expect(calls).toBe(0);
    });

    it('when a burst is allowed, then that many go at once and the rest are spaced', async () => {
      const limiter = backend.limiter(keys(), 0);
      const limit = { perSecond: 10, burst: 3, maxWaitMs: 5_000 };
      const slots: Array<{ waitMs: number; at: number }> = [];
      for (let i = 0; i < 5; i += 1) slots.push(await limiter.reserve('c', limit).then((slot) => ({ waitMs: slot.waitMs, at: Date.now() + slot.waitMs })));
      expect(slots.slice(0, 3).map((s) => s.waitMs)).toEqual([0, 0, 0]);
      const at = slots.map((s) => s.at);
      const first = at[0] ?? 0;
      expect((at[3] ?? 0) - first).toBeGreaterThanOrEqual(80);
      expect((at[4] ?? 0) - first).toBeGreaterThanOrEqual(180);
    });
  });

  it('when a failure is recorded, then the record, the index and the final claim are written together', async () => {
    const k = keys();
    const { claims, failed } = backend.ledger(k, 0, { leaseMs: 1000, waitMs: 0, doneTtlMs: 60_000, owner: 't' });
    const message = channelMessageSchema.parse(smsMessage('fr', 1)) as ChannelMessage;
    await failed.record({ messageId: message.id, eventId: message.eventId, channel: 'sms', recipient: message.recipient, state: 'failed', reason: 'invalid number', errorClass: 'permanent', code: '21211', attempts: 1, at: '2025-09-29T01:00:00.000Z', message });
    expect(await failed.get(message.id)).toMatchObject({ reason: 'invalid number', code: '21211', message: { id: message.id } });
    expect((await failed.list()).map((r) => r.messageId)).toEqual([message.id]);
    expect(await claims.acquire(message.id)).toEqual({ kind: 'done', claim: { state: 'failed', at: '2025-09-29T01:00:00.000Z', attempt: 1 } });
  });

  it('when a stored record no longer parses, then reads skip it and report its id and what is wrong, never its contact', async () => {
    const k = keys();
    const { failed } = backend.ledger(k, 0, { leaseMs: 1000, waitMs: 0, doneTtlMs: 60_000, owner: 't' });
    const [good, broken] = [1, 2].map((i) => channelMessageSchema.parse(smsMessage('unreadable', i)) as ChannelMessage) as [ChannelMessage, ChannelMessage];
    const phone = broken.recipient.phone ?? '';
    const at = '2025-09-29T01:00:00.000Z';
    const fields = { eventId: good.eventId, channel: 'sms', state: 'failed', reason: 'invalid number', errorClass: 'permanent', attempts: 1, at } as const;
    await failed.record({ ...fields, messageId: good.id, recipient: good.recipient, message: good });
    // Cut short (a JSON error's own message would quote this text, phone and all) ...
    await backend.putRawFailed(k, 'cut-short', `{"messageId":"cut-short","recipient":{"phone":"${phone}"`, at);
    // ... and valid JSON with a state and an attempt count this version does not know.
    await backend.putRawFailed(k, broken.id, JSON.stringify({ ...fields, messageId: broken.id, recipient: broken.recipient, message: broken, state: 'lost', attempts: 0 }), at);

    expect(await failed.get('cut-short')).toBeUndefined();
    expect(await failed.get(broken.id)).toBeUndefined();
    expect((await failed.list()).map((r) => r.messageId)).toEqual([good.id]);
    expect(k.unreadable).toContainEqual({ messageId: 'cut-short', reason: 'not JSON' });
    expect(k.unreadable).toContainEqual({ messageId: broken.id, reason: expect.stringMatching(/^state: .+; attempts: .+$/) });
    expect(JSON.stringify(k.unreadable)).not.toContain(phone);
  });

  it('when a sent message whose copy is kept is reported undelivered, then its copy becomes a failed record in state undelivered and its claim stays sent', async () => {
    const k = keys();
    const { claims, failed } = backend.ledger(k, 0, { leaseMs: 1000, waitMs: 0, doneTtlMs: 60_000, owner: 't' });
    const message = channelMessageSchema.parse(smsMessage('ud', 1)) as ChannelMessage;
    await claims.markSent(message.id, { at: '2025-09-29T01:00:00.000Z', attempt: 1, provider: 'twilio', providerMessageId: 'SM1' });
    await failed.keepSent(message, 60_000);
    expect(await failed.get(message.id)).toBeUndefined(); // a kept copy is not a failure
    expect(await failed.list()).toEqual([]);

    const report = { at: '2025-09-29T01:05:00.000Z', provider: 'twilio', code: '30005', answer: 'twilio undelivered (error 30005)' };
    const record = await failed.recordUndelivered(message.id, report);
    expect(record).toMatchObject({ messageId: message.id, state: 'undelivered', code: '30005', provider: 'twilio', providerAnswer: 'twilio undelivered (error 30005)', errorClass: 'permanent', attempts: 1, at: report.at, recipient: message.recipient, message });
    expect(await failed.get(message.id)).toEqual(record);
    expect((await failed.list()).map((r) => r.messageId)).toEqual([message.id]);
    // The same report again, handled later (Twilio retries a callback): the first record stands.
    expect(await failed.recordUndelivered(message.id, { ...report, at: '2025-09-29T01:09:00.000Z' })).toEqual(record);
    expect(await failed.get(message.id)).toEqual(record);
    expect(await failed.list()).toHaveLength(1);
    expect(await claims.acquire(message.id)).toEqual({ kind: 'done', claim: { state: 'sent', at: '2025-09-29T01:00:00.000Z', attempt: 1, provider: 'twilio', providerMessageId: 'SM1' } });
  });

  it('when a message without a kept copy is reported undelivered, then there is no failed record; and recording an undelivered one as a failure is refused', async () => {
    const k = keys();
    const { failed } = backend.ledger(k, 0, { leaseMs: 1000, waitMs: 0, doneTtlMs: 60_000, owner: 't' });
    const message = channelMessageSchema.parse(smsMessage('ud-none', 1)) as ChannelMessage;
    expect(await failed.recordUndelivered(message.id, { at: '2025-09-29T01:05:00.000Z', provider: 'twilio' })).toBeUndefined();
    expect(await failed.list()).toEqual([]);
    await expect(failed.record({ messageId: message.id, eventId: message.eventId, channel: 'sms', recipient: message.recipient, state: 'undelivered', reason: 'x', errorClass: 'permanent', attempts: 1, at: '2025-09-29T01:05:00.000Z', message })).rejects.toThrow(/keeps its sent claim/);
  });
});

describe('MemoryFailedRecords: kept copies', () => {
  it('when a kept copy has expired, then a late undelivered report finds nothing; the oldest copies go past the bound', async () => {
    let now = 1_000_000;
    const failed = new MemoryFailedRecords({ maxRecords: 2, now: () => now });
    const [a, b, c] = [1, 2, 3].map((i) => channelMessageSchema.parse(smsMessage('exp', i)) as ChannelMessage) as [ChannelMessage, ChannelMessage, ChannelMessage];
    await failed.keepSent(a, 1_000);
    now += 1_001;
    expect(await failed.recordUndelivered(a.id, { at: '2025-09-29T01:05:00.000Z', provider: 'twilio' })).toBeUndefined();
    await failed.keepSent(b, 60_000);
    await failed.keepSent(c, 60_000);
    await failed.keepSent(a, 60_000);
    // Bound of 2: b, the oldest, is gone.
    expect(await failed.recordUndelivered(b.id, { at: '2025-09-29T01:05:00.000Z', provider: 'twilio' })).toBeUndefined();
    expect(await failed.recordUndelivered(c.id, { at: '2025-09-29T01:05:00.000Z', provider: 'twilio' })).toMatchObject({ messageId: c.id, state: 'undelivered' });
  });
});
