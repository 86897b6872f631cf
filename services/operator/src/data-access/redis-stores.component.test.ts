import { Redis } from 'ioredis';
import { ClaimStore, FailedRecordStore, workerKeys } from '@gateway/worker-core';
import { redisUrl, uniqueName } from '../../../../tests/support/infra';
import { createRedisOperatorStores } from './stores';
import { describeOperatorStores } from './store-conformance';

let redis: Redis;
beforeAll(() => {
  redis = new Redis(redisUrl(), { enableAutoPipelining: true });
});
afterAll(async () => {
  await redis.quit();
});

describeOperatorStores('redis', async () => {
  const prefix = `${uniqueName('opstores')}:`;
  const stores = createRedisOperatorStores(redis, prefix);
  const keys = workerKeys(prefix, 'sms');
  // Written exactly as the channel workers write them.
  const failed = new FailedRecordStore(redis, keys, { ttlMs: 60_000 });
  const claims = new ClaimStore(redis, keys, { leaseMs: 1000, waitMs: 0, doneTtlMs: 60_000, owner: 'test' });
  return { stores, putFailed: (record) => failed.record(record, claims) };
});

describe('redis operator stores', () => {
  it('when statuses are applied, then every key is under the prefix', async () => {
    const prefix = `${uniqueName('oplayout')}:`;
    const stores = createRedisOperatorStores(redis, prefix);
    await stores.notifications.apply([{ messageId: 'm1', eventId: 'e1', channel: 'sms', status: 'rendered', at: new Date().toISOString(), summary: { recipient: { id: 'a', name: 'A' }, eventType: 'meeting.scheduled', source: 's', urgency: 'khan' } }]);
    await stores.audit.append({ actor: 'x', action: 'y', outcome: 'ok' });
    await stores.notifications.search({ page: 1, pageSize: 10, sort: '-updatedAt', status: ['rendered', 'failed'] });
    const created = await redis.keys(`${prefix}*`);
    expect(created.length).toBeGreaterThan(5);
    // The search's temporary sets are gone.
    expect(created.filter((k) => k.includes('nidx:tmp'))).toEqual([]);
  });
});
