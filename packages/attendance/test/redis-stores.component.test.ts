import { Redis } from 'ioredis';
import { redisUrl, uniqueName } from '@gateway/tests/support/infra';
import { createRedisAttendanceStores } from '../src';
import { describeAttendanceStoreConformance } from './store-conformance';

let redis: Redis;
beforeAll(() => {
  redis = new Redis(redisUrl());
});
afterAll(async () => {
  await redis.quit();
});

describeAttendanceStoreConformance('Redis', () => createRedisAttendanceStores(redis, { prefix: `${uniqueName('attendance')}:` }));
