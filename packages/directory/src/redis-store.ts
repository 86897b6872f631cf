import type { ChainableCommander, Redis } from 'ioredis';
import type { z } from 'zod';
import { DirectoryDataError, DirectoryStoreError } from './errors';
import {
  compactPerson,
  groupMeta,
  storedGroupMetaSchema,
  storedPersonSchema,
  type DirectoryPerson,
  type GroupMembers,
  type GroupSummary,
  type Page,
} from './model';
import type { DirectoryStore } from './store';

/*
 * Layout under the prefix P (ids never contain ":", so no key can collide with another):
 *   P person:<id>          string, the person as JSON
 *   P people               sorted set of person ids, all score 0: lexicographic paging
 *   P group:<id>           string, { id, name, description } as JSON
 *   P group:<id>:members   sorted set of person ids, score = position (the order given)
 *   P group:<id>:groups    sorted set of nested group ids, score = position
 *   P groups               sorted set of group ids, all score 0
 *
 * The delete scripts touch keys they compute from the groups index, which a Redis Cluster
 * would refuse; the directory runs on one Redis (or a primary with replicas).
 */

// Removes the person from every group in one atomic step, so no group is left naming them.
const DELETE_PERSON = `
local existed = redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
local groups = redis.call('ZRANGE', KEYS[3], 0, -1)
for _, g in ipairs(groups) do
  redis.call('ZREM', ARGV[2] .. g .. ':members', ARGV[1])
end
return existed
`;

const DELETE_GROUP = `
local existed = redis.call('DEL', KEYS[1])
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('ZREM', KEYS[4], ARGV[1])
local groups = redis.call('ZRANGE', KEYS[4], 0, -1)
for _, g in ipairs(groups) do
  redis.call('ZREM', ARGV[2] .. g .. ':groups', ARGV[1])
end
return existed
`;

// Appends after the current last position; reading the last score and adding must not interleave
// with another append, or two imports would give different people the same position.
const ADD_MEMBERS = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
local score = 0
if #last == 2 then score = tonumber(last[2]) + 1 end
local added = 0
for _, id in ipairs(ARGV) do
  if not redis.call('ZSCORE', KEYS[2], id) then
    redis.call('ZADD', KEYS[2], score, id)
    score = score + 1
    added = added + 1
  end
end
return added
`;

/** Keys per MGET/ZMSCORE: big enough for few round trips, small enough not to stall Redis. */
const BATCH = 1_000;
/** Replies that mean "Redis is busy or failing over", where the same command later succeeds. */
const RETRIABLE_REPLY = /^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY|NOREPLICAS)\b/;

export interface RedisDirectoryStoreOptions {
  /** Prepended to every key, e.g. "gw:dir:"; lets tests and tenants share one Redis. */
  prefix: string;
}

type Scripted = Redis & {
  gwDirDeletePerson(person: string, people: string, groups: string, id: string, groupPrefix: string): Promise<number>;
  gwDirDeleteGroup(meta: string, members: string, nested: string, groups: string, id: string, groupPrefix: string): Promise<number>;
  gwDirAddMembers(meta: string, members: string, ...ids: string[]): Promise<number>;
};

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function isRetriable(err: unknown): boolean {
  if (!(err instanceof Error)) return true;
  // ioredis marks server error replies as ReplyError; anything else is the connection.
  if (err.name === 'ReplyError') return RETRIABLE_REPLY.test(err.message);
  return true;
}

async function guarded<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof DirectoryStoreError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new DirectoryStoreError(`directory store: ${operation} failed: ${message}`, { retriable: isRetriable(err), cause: err });
  }
}

/** A pipeline or MULTI answers per command; one failed command fails the operation. */
async function execAll(batch: ChainableCommander): Promise<unknown[]> {
  const results = await batch.exec();
  if (results === null) throw new DirectoryStoreError('directory store: transaction aborted', { retriable: true });
  return results.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}

function decode<S extends z.ZodType>(schema: S, key: string, raw: string): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new DirectoryDataError(`directory store: ${key} is not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new DirectoryDataError(`directory store: ${key} is not a valid record (${first?.path.join('.') || 'root'}: ${first?.message ?? 'invalid'})`);
  }
  return parsed.data;
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/**
 * The directory in Redis. The client is the caller's (one connection per process, closed by
 * the composition root); this adapter only adds its scripts to it.
 */
export function createRedisDirectoryStore(redis: Redis, options: RedisDirectoryStoreOptions): DirectoryStore {
  if (redis === null || typeof redis !== 'object' || typeof redis.defineCommand !== 'function') {
    throw new TypeError('createRedisDirectoryStore: an ioredis client is required');
  }
  if (typeof options?.prefix !== 'string' || options.prefix === '') {
    throw new TypeError('createRedisDirectoryStore: a non-empty key prefix is required, e.g. "gw:dir:"');
  }
  const { prefix } = options;
  redis.defineCommand('gwDirDeletePerson', { numberOfKeys: 3, lua: DELETE_PERSON });
  redis.defineCommand('gwDirDeleteGroup', { numberOfKeys: 4, lua: DELETE_GROUP });
  redis.defineCommand('gwDirAddMembers', { numberOfKeys: 2, lua: ADD_MEMBERS });
  const r = redis as Scripted;

  const personKey = (id: string) => `${prefix}person:${id}`;
  const peopleKey = `${prefix}people`;
  const groupPrefix = `${prefix}group:`;
  const groupKey = (id: string) => `${groupPrefix}${id}`;
  const membersKey = (id: string) => `${groupPrefix}${id}:members`;
  const nestedKey = (id: string) => `${groupPrefix}${id}:groups`;
  const groupsKey = `${prefix}groups`;

  const decodePerson = (id: string, raw: string): DirectoryPerson => compactPerson(decode(storedPersonSchema, personKey(id), raw));

  async function mgetPeople(ids: readonly string[]): Promise<Map<string, DirectoryPerson>> {
    const unique = [...new Set(ids)];
    const found = new Map<string, DirectoryPerson>();
    if (unique.length === 0) return found;
    const batches = chunks(unique, BATCH);
    const pipeline = r.pipeline();
    for (const batch of batches) pipeline.mget(...batch.map(personKey));
    const replies = await execAll(pipeline);
    batches.forEach((batch, b) => {
      const values = replies[b] as Array<string | null>;
      batch.forEach((id, i) => {
        const raw = values[i];
        if (typeof raw === 'string') found.set(id, decodePerson(id, raw));
      });
    });
    return found;
  }

  async function existing(indexKey: string, ids: readonly string[]): Promise<Set<string>> {
    const unique = [...new Set(ids)];
    const found = new Set<string>();
    if (unique.length === 0) return found;
    const batches = chunks(unique, BATCH);
    const pipeline = r.pipeline();
    for (const batch of batches) pipeline.zmscore(indexKey, ...batch);
    const replies = await execAll(pipeline);
    batches.forEach((batch, b) => {
      const scores = replies[b] as Array<string | null>;
      batch.forEach((id, i) => {
        if (scores[i] !== null && scores[i] !== undefined) found.add(id);
      });
    });
    return found;
  }

  async function pageOfIds(indexKey: string, cursor: string | undefined, limit: number): Promise<{ ids: string[]; more: boolean }> {
    const ids = await r.zrangebylex(indexKey, cursor === undefined ? '-' : `(${cursor}`, '+', 'LIMIT', 0, limit + 1);
    return { ids: ids.slice(0, limit), more: ids.length > limit };
  }

  function finishPage<T>(items: T[], ids: string[], more: boolean): Page<T> {
    const last = ids[ids.length - 1];
    return more && last !== undefined ? { items, nextCursor: last } : { items };
  }

  return {
    upsertPerson(person) {
      return guarded('upsertPerson', async () => {
        const [, added] = await execAll(r.multi().set(personKey(person.id), JSON.stringify(compactPerson(person))).zadd(peopleKey, 0, person.id));
        return { created: added === 1 };
      });
    },

    upsertPeople(people) {
      return guarded('upsertPeople', async () => {
        let created = 0;
        // One MULTI per batch: each batch is atomic and the whole import is one round trip per batch.
        const batches = chunks(people, BATCH);
        const replies = await Promise.all(
          batches.map((batch) => {
            const multi = r.multi();
            for (const person of batch) multi.set(personKey(person.id), JSON.stringify(compactPerson(person))).zadd(peopleKey, 0, person.id);
            return execAll(multi);
          }),
        );
        for (const reply of replies) {
          // Replies alternate SET, ZADD; ZADD answers 1 for an id new to the index.
          for (let i = 1; i < reply.length; i += 2) if (reply[i] === 1) created++;
        }
        return { created, updated: people.length - created };
      });
    },

    getPerson(id) {
      return guarded('getPerson', async () => {
        const raw = await r.get(personKey(id));
        return raw === null ? undefined : decodePerson(id, raw);
      });
    },

    getPeople(ids) {
      return guarded('getPeople', () => mgetPeople(ids));
    },

    deletePerson(id) {
      return guarded('deletePerson', async () => (await r.gwDirDeletePerson(personKey(id), peopleKey, groupsKey, id, groupPrefix)) === 1);
    },

    listPeople(request) {
      return guarded('listPeople', async () => {
        const { ids, more } = await pageOfIds(peopleKey, request.cursor, request.limit);
        const found = await mgetPeople(ids);
        // A person deleted between the two reads is left out rather than returned as a hole.
        const items = ids.flatMap((id) => {
          const person = found.get(id);
          return person === undefined ? [] : [person];
        });
        return finishPage(items, ids, more);
      });
    },

    existingPersonIds(ids) {
      return guarded('existingPersonIds', () => existing(peopleKey, ids));
    },

    upsertGroup(group) {
      return guarded('upsertGroup', async () => {
        const multi = r.multi().set(groupKey(group.id), JSON.stringify(groupMeta(group))).del(membersKey(group.id), nestedKey(group.id));
        chunks(group.members, BATCH).forEach((batch, b) => {
          multi.zadd(membersKey(group.id), ...batch.flatMap((id, i) => [b * BATCH + i, id]));
        });
        if (group.groups.length > 0) multi.zadd(nestedKey(group.id), ...group.groups.flatMap((id, i) => [i, id]));
        multi.zadd(groupsKey, 0, group.id);
        const replies = await execAll(multi);
        return { created: replies[replies.length - 1] === 1 };
      });
    },

    getGroup(id) {
      return guarded('getGroup', async () => {
        const [raw, members, groups] = await execAll(r.pipeline().get(groupKey(id)).zrange(membersKey(id), 0, -1).zrange(nestedKey(id), 0, -1));
        if (typeof raw !== 'string') return undefined;
        return { ...decode(storedGroupMetaSchema, groupKey(id), raw), members: asStrings(members), groups: asStrings(groups) };
      });
    },

    deleteGroup(id) {
      return guarded('deleteGroup', async () => (await r.gwDirDeleteGroup(groupKey(id), membersKey(id), nestedKey(id), groupsKey, id, groupPrefix)) === 1);
    },

    listGroups(request) {
      return guarded('listGroups', async () => {
        const { ids, more } = await pageOfIds(groupsKey, request.cursor, request.limit);
        if (ids.length === 0) return { items: [] };
        const pipeline = r.pipeline();
        for (const id of ids) pipeline.get(groupKey(id)).zcard(membersKey(id)).zcard(nestedKey(id));
        const replies = await execAll(pipeline);
        const items: GroupSummary[] = [];
        ids.forEach((id, i) => {
          const raw = replies[i * 3];
          if (typeof raw !== 'string') return;
          items.push({ ...decode(storedGroupMetaSchema, groupKey(id), raw), memberCount: Number(replies[i * 3 + 1]), groupCount: Number(replies[i * 3 + 2]) });
        });
        return finishPage(items, ids, more);
      });
    },

    existingGroupIds(ids) {
      return guarded('existingGroupIds', () => existing(groupsKey, ids));
    },

    getGroupMembers(groupId) {
      return guarded('getGroupMembers', async () => (await loadMembers([groupId])).get(groupId));
    },

    getGroupsMembers(groupIds) {
      return guarded('getGroupsMembers', () => loadMembers(groupIds));
    },

    addGroupMembers(groupId, personIds) {
      return guarded('addGroupMembers', async () => {
        if (personIds.length === 0) return (await r.exists(groupKey(groupId))) === 1 ? 0 : undefined;
        let added = 0;
        // Sequential: each call appends after the previous one, keeping the given order.
        for (const batch of chunks(personIds, BATCH)) {
          const result = await r.gwDirAddMembers(groupKey(groupId), membersKey(groupId), ...batch);
          if (result < 0) return undefined;
          added += result;
        }
        return added;
      });
    },
  };

  async function loadMembers(groupIds: readonly string[]): Promise<Map<string, GroupMembers>> {
    const unique = [...new Set(groupIds)];
    const found = new Map<string, GroupMembers>();
    if (unique.length === 0) return found;
    const pipeline = r.pipeline();
    for (const id of unique) pipeline.exists(groupKey(id)).zrange(membersKey(id), 0, -1).zrange(nestedKey(id), 0, -1);
    const replies = await execAll(pipeline);
    unique.forEach((id, i) => {
      if (replies[i * 3] !== 1) return;
      found.set(id, { members: asStrings(replies[i * 3 + 1]), groups: asStrings(replies[i * 3 + 2]) });
    });
    return found;
  }
}
