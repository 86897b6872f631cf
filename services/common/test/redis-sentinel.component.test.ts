import { startLocalRedis, type LocalRedis } from '@gateway/infra';
import { createRedisClient } from '../src/redis';
import { createLogger } from '../src/log';

const silent = createLogger({ name: 'redis-test', level: 'silent' });

describe('createRedisClient through a real Sentinel', () => {
  let master: LocalRedis;
  let sentinel: LocalRedis;
  beforeAll(async () => {
    master = await startLocalRedis();
    sentinel = await startLocalRedis({ sentinelOf: { masterPort: master.port, masterName: 'cong-thong-bao' } });
  }, 60_000);
  afterAll(async () => {
    await Promise.all([sentinel?.stop(), master?.stop()]);
  });

  it('when REDIS_URL names the Sentinel and the master, then the client writes to the master it was told of', async () => {
    const viaSentinel = createRedisClient(`redis-sentinel://127.0.0.1:${sentinel.port}#cong-thong-bao`, silent, { maxRetriesPerRequest: 2 });
    const direct = createRedisClient(master.url, silent);
    try {
      await viaSentinel.set('gw:test:sentinel', 'giấy mời');
      expect(await direct.get('gw:test:sentinel')).toBe('giấy mời');
    } finally {
      viaSentinel.disconnect();
      direct.disconnect();
    }
  });

  it('when the master name is not one the Sentinel watches, then commands fail with an error that says so', async () => {
    const client = createRedisClient(`redis-sentinel://127.0.0.1:${sentinel.port}#khong-co`, silent, { maxRetriesPerRequest: 1, sentinelRetryStrategy: () => null, lazyConnect: true });
    try {
      await expect(client.connect()).rejects.toThrow(/No such master with that name/);
    } finally {
      client.disconnect();
    }
  });
});
