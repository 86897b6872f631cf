import { Redis } from 'ioredis';
import { createRedisLedger } from '@gateway/delivery-ledger';
import { redisUrl, uniqueName } from '@gateway/tests/support/infra';
import { createRedisOperatorStores } from './stores';
import { describeOperatorStores } from '../../test/store-conformance';

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
  // Written exactly as the channel workers write them.
  const worker = createRedisLedger(redis, { prefix }).forWorker({ leaseMs: 1000, waitMs: 0, doneTtlMs: 60_000, owner: 'test', failedRecordTtlMs: 60_000 });
  return { stores, putFailed: (record) => worker.recordFailure(record) };
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

describe('redis notification store: a status Redis refuses on its own', () => {
  it('when one status of a batch cannot be stored (its key holds another type), then it is reported rejected with the reason and the others are applied', async () => {
    const prefix = `${uniqueName('opreject')}:`;
    const stores = createRedisOperatorStores(redis, prefix);
    await redis.set(`${prefix}notif:bad`, 'not a hash');
    const at = new Date().toISOString();
    const statuses = ['good-1', 'bad', 'good-2'].map((messageId) => ({ messageId, eventId: 'e1', channel: 'sms' as const, status: 'rendered' as const, at, summary: { recipient: { id: messageId, name: 'A' }, eventType: 'meeting.scheduled' as const } }));
    const outcome = await stores.notifications.apply(statuses);
    expect(outcome.rejected).toEqual([{ status: statuses[1], reason: expect.stringMatching(/WRONGTYPE/) }]);
    expect((await stores.notifications.getMany(['good-1', 'good-2'])).size).toBe(2);
  });

  it('when Redis itself fails (the connection is closed), then the batch is thrown, not reported rejected', async () => {
    const closed = new Redis(redisUrl(), { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    const stores = createRedisOperatorStores(closed, `${uniqueName('opdown')}:`);
    await expect(stores.notifications.apply([{ messageId: 'm', eventId: 'e', channel: 'sms', status: 'rendered', at: new Date().toISOString() }])).rejects.toThrow();
    closed.disconnect();
  });
});

describe('redis resend store: the latest resends of a large event', () => {
  it('when an event has 2,000 chains, then their latest resends are read in bounded script calls and every chain maps to its own', async () => {
    const client = new Redis(redisUrl(), { enableAutoPipelining: true });
    try {
      const { resends } = createRedisOperatorStores(client, `${uniqueName('oplatest')}:`);
      const chains = Array.from({ length: 2000 }, (_, i) => `o${i}`);
      const at = new Date().toISOString();
      await Promise.all(chains.map((id) => resends.claim({ resendId: `rs-${id}`, messageId: `r-${id}`, originalId: id, channel: 'sms', requestKey: 'req:x', by: 'van-thu', at, published: true }, 60_000, { replacing: null, at: 0 })));
      // Every script call's key count, as sent to Redis.
      const keyCounts: number[] = [];
      const send = client.sendCommand.bind(client);
      client.sendCommand = (command, stream) => {
        if (/^evalsha$|^eval$/i.test(command.name)) keyCounts.push(Number(command.args[1]));
        return send(command, stream);
      };
      const latest = await resends.latestOf([...chains, 'no-resend']);
      expect(latest.size).toBe(2000);
      expect(chains.every((id) => latest.get(id)?.messageId === `r-${id}`)).toBe(true);
      expect(keyCounts.length).toBeGreaterThanOrEqual(4);
      expect(Math.max(...keyCounts)).toBeLessThanOrEqual(500);
    } finally {
      client.disconnect();
    }
  });
});
