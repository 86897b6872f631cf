import { Redis } from 'ioredis';
import type { ChannelMessage } from '@gateway/contracts';
import { channelMessageSchema } from '@gateway/contracts';
import { redisUrl, uniqueName } from '@gateway/tests/support/infra';
import { DelayQueue, type DelayedItem, type Delays } from '../src/data-access/delay-queue';
import { MemoryDelayQueue, MemoryRateLimiter } from '../src/data-access/memory';
import { workerKeys, type WorkerKeys } from '../src/data-access/keys';
import { rateLimited, RedisRateLimiter, type RateLimiter } from '../src/data-access/rate-limiter';
import { ThrottledError } from '../src/domain/errors';
import { smsMessage } from './support/kafka';

/** One test's share of a store: its own Redis keys, or its own in-memory stores (two "replicas" share them). */
interface Scope {
  keys: WorkerKeys;
  delay: MemoryDelayQueue;
  limiter: MemoryRateLimiter;
}

/**
 * The same rules on both adapters: Redis (production) and memory (embedded mode). `client` 0 or 1: two replicas.
 * The delivery ledger (claims, failed records) has its own suite in packages/delivery-ledger/test.
 */
interface Backend {
  delay(scope: Scope, client: 0 | 1): Delays;
  limiter(scope: Scope, client: 0 | 1): RateLimiter;
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
      delay: (s, i) => new DelayQueue(client(i), s.keys),
      limiter: (s, i) => new RedisRateLimiter(client(i), s.keys.rate),
    },
  ],
  [
    'memory',
    {
      delay: (s) => s.delay,
      limiter: (s) => s.limiter,
    },
  ],
];

describe.each(BACKENDS)('the worker stores on %s', (_name, backend) => {
  const keys = (): Scope => ({ keys: workerKeys(`${uniqueName('stores')}:`, 'sms'), delay: new MemoryDelayQueue(), limiter: new MemoryRateLimiter() });

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
});
