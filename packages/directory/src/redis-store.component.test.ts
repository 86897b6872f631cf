import { Redis } from 'ioredis';
import { freePort } from '@gateway/infra';
import { DirectoryDataError, DirectoryStoreError } from './errors';
import { createRedisDirectoryStore } from './redis-store';
import { resolveRecipients } from './resolve';
import { describeDirectoryStoreConformance, sampleGroup, samplePerson } from '../test/store-conformance';
import { startTestRedis, type TestRedis } from '../test/test-support';

let redis: TestRedis;

beforeAll(async () => {
  redis = await startTestRedis();
});

afterAll(async () => {
  await redis?.stop();
});

describeDirectoryStoreConformance('redis', () => createRedisDirectoryStore(redis.client, { prefix: redis.prefix() }));

describe('redis directory store', () => {
  it('when it is built without a client or a prefix, then it refuses at once', () => {
    expect(() => createRedisDirectoryStore(undefined as unknown as Redis, { prefix: 'p:' })).toThrow(/ioredis client/);
    expect(() => createRedisDirectoryStore(redis.client, { prefix: '' })).toThrow(/prefix/);
  });

  it('when records are written, then every key it creates is under its prefix and another prefix sees nothing', async () => {
    const prefix = redis.prefix('layout');
    const store = createRedisDirectoryStore(redis.client, { prefix });
    const before = new Set(await redis.client.keys('*'));
    await store.upsertPerson(samplePerson('a'));
    await store.upsertGroup(sampleGroup('g', ['a'], []));
    await store.upsertGroup(sampleGroup('h', [], ['g']));
    const created = (await redis.client.keys('*')).filter((key) => !before.has(key));
    expect(created.length).toBeGreaterThan(0);
    expect(created.every((key) => key.startsWith(prefix))).toBe(true);

    const other = createRedisDirectoryStore(redis.client, { prefix: redis.prefix('other') });
    expect(await other.getPerson('a')).toBeUndefined();
    expect(await other.listGroups({ limit: 10 })).toEqual({ items: [] });
  });

  it('when a stored record was edited by hand into something else, then reading it fails as a non-retriable data error naming the key', async () => {
    const prefix = redis.prefix('corrupt');
    const store = createRedisDirectoryStore(redis.client, { prefix });
    await redis.client.set(`${prefix}person:bad`, '{"id":"bad","name":"X","phone":"0905123456"}');
    await redis.client.set(`${prefix}person:notjson`, 'nope');
    const error = await store.getPeople(['bad']).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(DirectoryDataError);
    expect((error as DirectoryDataError).retriable).toBe(false);
    expect((error as Error).message).toContain(`${prefix}person:bad`);
    await expect(store.getPerson('notjson')).rejects.toThrow(/is not JSON/);
  });

  it('when Redis cannot be reached, then operations fail with a retriable store error', async () => {
    const port = await freePort();
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      const store = createRedisDirectoryStore(client, { prefix: 'unreachable:' });
      const error = await store.getPerson('a').catch((err: unknown) => err);
      expect(error).toBeInstanceOf(DirectoryStoreError);
      expect((error as DirectoryStoreError).retriable).toBe(true);
    } finally {
      client.disconnect();
    }
  });

  it('when 10,000 people are resolved through nested groups with a cycle, then it takes a handful of commands', async () => {
    const store = createRedisDirectoryStore(redis.client, { prefix: redis.prefix('bulk') });
    const ids = Array.from({ length: 10_000 }, (_, i) => `can-bo-${String(i).padStart(5, '0')}`);
    await store.upsertPeople(ids.map((id, i) => samplePerson(id, i === 42 ? { active: false } : {})));
    // Two halves overlapping by 100 people, under a parent that one half nests again (a cycle).
    await store.upsertGroup(sampleGroup('phuong', ids.slice(0, 5_100)));
    await store.upsertGroup(sampleGroup('xa', [...ids.slice(5_000), 'da-nghi-huu'], ['phuong-xa']));
    await store.upsertGroup(sampleGroup('phuong-xa', [], ['phuong', 'xa']));

    await redis.resetStats();
    const { people, unresolved } = await resolveRecipients(['group:phuong-xa'], store);
    const calls = await redis.commandCalls();

    expect(people).toHaveLength(9_999);
    expect(new Set(people.map((p) => p.id)).size).toBe(9_999);
    expect(people[0]?.id).toBe('can-bo-00000');
    expect(people.some((p) => p.id === 'can-bo-00042')).toBe(false);
    expect(unresolved).toEqual([{ ref: 'person:da-nghi-huu', reason: expect.stringContaining('member of group:xa') as string }]);
    // One MGET per 1,000 people and three commands per group; never one command per person.
    expect(calls.get ?? 0).toBe(0);
    expect(calls.mget).toBeLessThanOrEqual(11);
    const total = Object.entries(calls).reduce((sum, [name, n]) => (name === 'info' || name.startsWith('config') ? sum : sum + n), 0);
    expect(total).toBeLessThanOrEqual(20);
  });
});
