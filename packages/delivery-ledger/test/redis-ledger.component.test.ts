import { Redis } from 'ioredis';
import { redisUrl, uniqueName } from '@gateway/tests/support/infra';
import { createRedisLedger, ledgerKeys, type UnreadableFailedRecord } from '../src';
import { describeDeliveryLedgerConformance } from './ledger-conformance';

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

describeDeliveryLedgerConformance('Redis', {
  scope: () => {
    const prefix = `${uniqueName('ledger')}:`;
    const unreadable: UnreadableFailedRecord[] = [];
    const onUnreadable = (p: UnreadableFailedRecord) => unreadable.push(p);
    return {
      // Two clients: two replicas on one Redis.
      shared: (replica) => createRedisLedger(replica === 0 ? redis : other, { prefix, onUnreadable }),
      putRawFailed: async (messageId, raw, at) => {
        const keys = ledgerKeys(prefix);
        await redis.multi().set(keys.failed(messageId), raw, 'PX', 60_000).zadd(keys.failedIndex, Date.parse(at), messageId).exec();
      },
      unreadable,
    };
  },
});

describe('the delivery ledger on Redis: stored forms', () => {
  it('when records were written by the earlier worker runtime, then they read back; and what it writes is what that runtime wrote', async () => {
    const prefix = `${uniqueName('ledger-compat')}:`;
    const keys = ledgerKeys(prefix);
    expect([keys.claim('m1'), keys.failed('m1'), keys.failedIndex, keys.sentCopy('m1')]).toEqual([`${prefix}claim:m1`, `${prefix}failed:m1`, `${prefix}failed:index`, `${prefix}sent-copy:m1`]);
    const ledger = createRedisLedger(redis, { prefix }).forWorker({ owner: 'host:1:abc', leaseMs: 1000, waitMs: 0, doneTtlMs: 60_000, failedRecordTtlMs: 60_000 });
    await redis.set(keys.claim('old'), '{"state":"sent","at":"2025-09-29T01:00:00.000Z","attempt":1,"provider":"twilio","providerMessageId":"SM1"}');
    expect(await ledger.claim('old')).toEqual({ kind: 'done', claim: { state: 'sent', at: '2025-09-29T01:00:00.000Z', attempt: 1, provider: 'twilio', providerMessageId: 'SM1' } });
    await ledger.markSent('new', { at: '2025-09-29T01:00:00.000Z', attempt: 2, provider: 'esms' });
    expect(await redis.get(keys.claim('new'))).toBe('{"state":"sent","at":"2025-09-29T01:00:00.000Z","attempt":2,"provider":"esms"}');
    const held = await ledger.claim('held');
    expect(await redis.get(keys.claim('held'))).toBe(held.kind === 'acquired' ? `sending:${held.token}` : 'not acquired');
    expect(held.kind === 'acquired' && held.token).toMatch(/^host:1:abc:\d+:[0-9a-f]{6}$/);
  });
});
