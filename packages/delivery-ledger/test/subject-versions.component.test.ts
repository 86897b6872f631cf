import { Redis } from 'ioredis';
import { redisUrl, uniqueName } from '@gateway/tests/support/infra';
import { createRedisSubjectVersions } from '../src';
import { describeSubjectVersionsConformance } from './subject-versions-conformance';

let redis: Redis;
beforeAll(() => {
  redis = new Redis(redisUrl());
});
afterAll(async () => {
  await redis.quit();
});

describeSubjectVersionsConformance('Redis', () => createRedisSubjectVersions(redis, { prefix: `${uniqueName('subjects')}:` }));

describe('subject versions on Redis: stored form', () => {
  it('when a subject is written, then it is one JSON string under subject:<kind>:<source>/<id> with a retention, and a value that no longer parses reads as unknown', async () => {
    const prefix = `${uniqueName('subjects-form')}:`;
    const store = createRedisSubjectVersions(redis, { prefix, retentionMs: 60_000 });
    await store.raise({ kind: 'meeting', source: 'vpthanhuy', id: 'H-1' }, 4);
    const key = `${prefix}subject:meeting:vpthanhuy/H-1`;
    expect(JSON.parse((await redis.get(key)) ?? 'null')).toEqual({ version: 4 });
    expect(await redis.pttl(key)).toBeGreaterThan(0);
    await redis.set(key, '{"version":"four"}');
    expect(await store.latest({ kind: 'meeting', source: 'vpthanhuy', id: 'H-1' })).toBeUndefined();
    await store.raise({ kind: 'meeting', source: 'vpthanhuy', id: 'H-1' }, 1);
    expect(await store.latest({ kind: 'meeting', source: 'vpthanhuy', id: 'H-1' })).toEqual({ version: 1 });
  });
});
