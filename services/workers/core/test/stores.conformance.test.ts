import { Redis } from 'ioredis';
import type { ChannelMessage } from '@gateway/contracts';
import { channelMessageSchema } from '@gateway/contracts';
import { redisUrl, uniqueName } from '../../../../tests/support/infra';
import { ClaimStore } from '../src/data-access/claims';
import { DelayQueue, type DelayedItem } from '../src/data-access/delay-queue';
import { FailedRecordStore } from '../src/data-access/failed-records';
import { workerKeys } from '../src/data-access/keys';
import { rateLimited, RedisRateLimiter } from '../src/data-access/rate-limiter';
import { ThrottledError } from '../src/domain/errors';
import { smsMessage } from './support/kafka';

describe('the worker stores in a real Redis', () => {
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
  const keys = () => workerKeys(`${uniqueName('stores')}:`, 'sms');

  describe('claims', () => {
    const options = { leaseMs: 2_000, waitMs: 0, doneTtlMs: 60_000, owner: 'test', pollMs: 20 };

    it('when two replicas claim the same message at once, then exactly one gets it', async () => {
      const k = keys();
      const a = new ClaimStore(redis, k, options);
      const b = new ClaimStore(other, k, { ...options, owner: 'other' });
      const results = await Promise.all([a.acquire('m1'), b.acquire('m1'), a.acquire('m1'), b.acquire('m1')]);
      expect(results.filter((r) => r.kind === 'acquired')).toHaveLength(1);
      expect(results.filter((r) => r.kind === 'busy')).toHaveLength(3);
    });

    it('when the message was marked sent, then a later claim reports it done with the provider, without taking it', async () => {
      const store = new ClaimStore(redis, keys(), options);
      expect((await store.acquire('m1')).kind).toBe('acquired');
      await store.markSent('m1', { at: '2025-09-29T01:00:00.000Z', attempt: 2, provider: 'esms', providerMessageId: 'abc' });
      expect(await store.acquire('m1')).toEqual({ kind: 'done', claim: { state: 'sent', at: '2025-09-29T01:00:00.000Z', attempt: 2, provider: 'esms', providerMessageId: 'abc' } });
    });

    it('when another owner holds the claim, then a waiter gets it as soon as it is released', async () => {
      const k = keys();
      const holder = new ClaimStore(redis, k, options);
      const waiter = new ClaimStore(other, k, { ...options, owner: 'waiter', waitMs: 5_000 });
      const held = await holder.acquire('m1');
      if (held.kind !== 'acquired') throw new Error('expected the claim');
      const waiting = waiter.acquire('m1');
      await new Promise((r) => setTimeout(r, 100));
      await holder.release('m1', held.token);
      expect((await waiting).kind).toBe('acquired');
    });

    it('when the owner died holding the claim, then the claim is free again after the lease', async () => {
      const k = keys();
      const dead = new ClaimStore(redis, k, { ...options, leaseMs: 300 });
      const waiter = new ClaimStore(other, k, { ...options, owner: 'waiter', waitMs: 5_000 });
      expect((await dead.acquire('m1')).kind).toBe('acquired');
      const started = Date.now();
      expect((await waiter.acquire('m1')).kind).toBe('acquired');
      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    });

    it('when a claim is released with another owner\'s token, then it stays', async () => {
      const k = keys();
      const store = new ClaimStore(redis, k, options);
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
      const q = new DelayQueue(redis, keys());
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
      const q1 = new DelayQueue(redis, k);
      const q2 = new DelayQueue(other, k);
      const now = Date.now();
      for (let i = 1; i <= 50; i += 1) await q1.schedule(item(`m${i}`, now - i));
      const [a, b] = await Promise.all([q1.take(now, 30_000, 30), q2.take(now, 30_000, 30)]);
      const ids = [...a, ...b].map((t) => t.id);
      expect(ids).toHaveLength(50);
      expect(new Set(ids).size).toBe(50);
    });

    it('when the message was scheduled again after it was taken, then removing the taken copy keeps the new schedule', async () => {
      const q = new DelayQueue(redis, keys());
      const now = Date.now();
      await q.schedule(item('m1', now - 1));
      const [taken] = await q.take(now, 30_000, 10);
      await q.schedule({ ...item('m1', now + 5_000), scheduledAt: Date.now() + 1 });
      expect(await q.remove('m1', taken?.raw ?? '')).toBe(false);
      expect(await q.size()).toBe(1);
      expect(await q.nextDue()).toBe(now + 5_000);
    });
  });

  describe('rate limiter (GCRA on Redis time)', () => {
    it('when two clients share a bucket of 10/s, then their booked slots are 100 ms apart in one sequence', async () => {
      const k = keys();
      const a = new RedisRateLimiter(redis, k.rate);
      const b = new RedisRateLimiter(other, k.rate);
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
      const limiter = new RedisRateLimiter(redis, k.rate);
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
      const limiter = new RedisRateLimiter(redis, keys().rate);
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
    const claims = new ClaimStore(redis, k, { leaseMs: 1000, waitMs: 0, doneTtlMs: 60_000, owner: 't' });
    const failed = new FailedRecordStore(redis, k, { ttlMs: 60_000 });
    const message = channelMessageSchema.parse(smsMessage('fr', 1)) as ChannelMessage;
    await failed.record({ messageId: message.id, eventId: message.eventId, channel: 'sms', recipient: message.recipient, state: 'failed', reason: 'invalid number', errorClass: 'permanent', code: '21211', attempts: 1, at: '2025-09-29T01:00:00.000Z', message }, claims);
    expect(await failed.get(message.id)).toMatchObject({ reason: 'invalid number', code: '21211', message: { id: message.id } });
    expect((await failed.list()).map((r) => r.messageId)).toEqual([message.id]);
    expect(await claims.acquire(message.id)).toEqual({ kind: 'done', claim: { state: 'failed', at: '2025-09-29T01:00:00.000Z', attempt: 1 } });
  });
});
