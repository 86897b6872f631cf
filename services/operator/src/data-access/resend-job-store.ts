import type { Redis } from 'ioredis';
import type { NotificationFilter } from '../domain/notification';

export type JobState = 'running' | 'done' | 'cancelled' | 'failed';
export type ItemOutcome = 'done' | 'failed' | 'skipped';

/** The filter as the operator gave it (times as ISO strings), kept with the job. */
export type JobFilter = Omit<NotificationFilter, 'from' | 'to'> & { from?: string; to?: string };

export interface ResendJob {
  id: string;
  state: JobState;
  total: number;
  done: number;
  failed: number;
  skipped: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  filter: JobFilter;
  /** Items before this index are settled and counted. */
  cursor: number;
  error?: string;
}

/** Port: bulk resend jobs; their item lists are snapshots taken when the job was created. */
export interface ResendJobStore {
  create(job: ResendJob, messageIds: readonly string[]): Promise<void>;
  get(id: string): Promise<ResendJob | undefined>;
  /** Newest first. */
  list(limit: number): Promise<ResendJob[]>;
  items(id: string, start: number, count: number): Promise<string[]>;
  /**
   * Moves the cursor from `at` past the settled items and adds their outcomes, atomically; false
   * (and nothing changed) when the job is no longer running or the cursor is not at `at`.
   */
  advance(id: string, at: number, outcomes: Record<ItemOutcome, number>, count: number): Promise<boolean>;
  /** running → done / failed; false when it was not running (e.g. cancelled meanwhile). */
  finish(id: string, state: 'done' | 'failed', error?: string): Promise<boolean>;
  /** running → cancelled; answers the job (unchanged if it was not running), undefined if unknown. */
  cancel(id: string): Promise<ResendJob | undefined>;
  /** Ids of jobs still running (resumed at start). */
  running(): Promise<string[]>;
  /** One runner per job across replicas: take or renew the lease; false when another owner holds it. */
  lease(id: string, owner: string, ms: number): Promise<boolean>;
  release(id: string, owner: string): Promise<void>;
}

const ADVANCE = `
if redis.call('HGET', KEYS[1], 'state') ~= 'running' then return 0 end
if tonumber(redis.call('HGET', KEYS[1], 'cursor')) ~= tonumber(ARGV[1]) then return 0 end
redis.call('HINCRBY', KEYS[1], 'cursor', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'done', ARGV[3])
redis.call('HINCRBY', KEYS[1], 'failed', ARGV[4])
redis.call('HINCRBY', KEYS[1], 'skipped', ARGV[5])
redis.call('HSET', KEYS[1], 'updatedAt', ARGV[6])
return 1
`;

const TRANSITION = `
if redis.call('HGET', KEYS[1], 'state') ~= 'running' then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'updatedAt', ARGV[2])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'error', ARGV[3]) end
redis.call('SREM', KEYS[2], ARGV[4])
return 1
`;

const LEASE = `
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`;

type Scripted = Redis & {
  gwJobAdvance(job: string, at: number, count: number, done: number, failed: number, skipped: number, updatedAt: string): Promise<number>;
  gwJobTransition(job: string, running: string, state: string, updatedAt: string, error: string, id: string): Promise<number>;
  gwJobLease(lease: string, owner: string, ms: number): Promise<number>;
  gwJobRelease(lease: string, owner: string): Promise<number>;
};

function fromHash(hash: Record<string, string>): ResendJob | undefined {
  if (!hash.id || !hash.state) return undefined;
  return {
    id: hash.id,
    state: hash.state as JobState,
    total: Number(hash.total ?? 0),
    done: Number(hash.done ?? 0),
    failed: Number(hash.failed ?? 0),
    skipped: Number(hash.skipped ?? 0),
    createdBy: hash.createdBy ?? '',
    createdAt: hash.createdAt ?? '',
    updatedAt: hash.updatedAt ?? '',
    filter: JSON.parse(hash.filter ?? '{}') as JobFilter,
    cursor: Number(hash.cursor ?? 0),
    ...(hash.error ? { error: hash.error } : {}),
  };
}

const RETENTION_MS = 90 * 24 * 3600 * 1000;

export function createRedisResendJobStore(redis: Redis, prefix: string): ResendJobStore {
  redis.defineCommand('gwJobAdvance', { numberOfKeys: 1, lua: ADVANCE });
  redis.defineCommand('gwJobTransition', { numberOfKeys: 2, lua: TRANSITION });
  redis.defineCommand('gwJobLease', { numberOfKeys: 1, lua: LEASE });
  redis.defineCommand('gwJobRelease', { numberOfKeys: 1, lua: RELEASE });
  const r = redis as Scripted;
  const k = { job: (id: string) => `${prefix}job:${id}`, items: (id: string) => `${prefix}job:${id}:items`, lease: (id: string) => `${prefix}job:${id}:lease`, index: `${prefix}jobs`, running: `${prefix}jobs:running` };
  const get = async (id: string) => fromHash(await redis.hgetall(k.job(id)));
  return {
    async create(job, ids) {
      const multi = redis.multi();
      for (let i = 0; i < ids.length; i += 1000) multi.rpush(k.items(job.id), ...ids.slice(i, i + 1000));
      const { filter, error, ...fields } = job;
      multi.hset(k.job(job.id), { ...fields, filter: JSON.stringify(filter), ...(error ? { error } : {}) });
      multi.pexpire(k.job(job.id), RETENTION_MS);
      multi.pexpire(k.items(job.id), RETENTION_MS);
      multi.zadd(k.index, Date.parse(job.createdAt), job.id);
      if (job.state === 'running') multi.sadd(k.running, job.id);
      const results = await multi.exec();
      for (const [err] of results ?? []) if (err) throw err;
    },
    get,
    async list(limit) {
      const ids = await redis.zrevrange(k.index, 0, limit - 1);
      const jobs = await Promise.all(ids.map(get));
      return jobs.filter((j): j is ResendJob => !!j);
    },
    async items(id, start, count) {
      return redis.lrange(k.items(id), start, start + count - 1);
    },
    async advance(id, at, outcomes, count) {
      return (await r.gwJobAdvance(k.job(id), at, count, outcomes.done, outcomes.failed, outcomes.skipped, new Date().toISOString())) === 1;
    },
    async finish(id, state, error) {
      return (await r.gwJobTransition(k.job(id), k.running, state, new Date().toISOString(), error ?? '', id)) === 1;
    },
    async cancel(id) {
      await r.gwJobTransition(k.job(id), k.running, 'cancelled', new Date().toISOString(), '', id);
      return get(id);
    },
    async running() {
      return redis.smembers(k.running);
    },
    async lease(id, owner, ms) {
      return (await r.gwJobLease(k.lease(id), owner, ms)) === 1;
    },
    async release(id, owner) {
      await r.gwJobRelease(k.lease(id), owner);
    },
  };
}

export function createMemoryResendJobStore(options: { now?: () => number } = {}): ResendJobStore {
  const now = options.now ?? Date.now;
  const jobs = new Map<string, { job: ResendJob; items: string[] }>();
  const leases = new Map<string, { owner: string; until: number }>();
  const transition = (id: string, state: JobState, error?: string) => {
    const entry = jobs.get(id);
    if (!entry || entry.job.state !== 'running') return false;
    entry.job.state = state;
    entry.job.updatedAt = new Date(now()).toISOString();
    if (error) entry.job.error = error;
    return true;
  };
  return {
    async create(job, ids) {
      jobs.set(job.id, { job: structuredClone(job), items: [...ids] });
    },
    async get(id) {
      const entry = jobs.get(id);
      return entry ? structuredClone(entry.job) : undefined;
    },
    async list(limit) {
      return [...jobs.values()]
        .map((e) => e.job)
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
        .slice(0, limit)
        .map((j) => structuredClone(j));
    },
    async items(id, start, count) {
      return (jobs.get(id)?.items ?? []).slice(start, start + count);
    },
    async advance(id, at, outcomes, count) {
      const entry = jobs.get(id);
      if (!entry || entry.job.state !== 'running' || entry.job.cursor !== at) return false;
      entry.job.cursor += count;
      entry.job.done += outcomes.done;
      entry.job.failed += outcomes.failed;
      entry.job.skipped += outcomes.skipped;
      entry.job.updatedAt = new Date(now()).toISOString();
      return true;
    },
    async finish(id, state, error) {
      return transition(id, state, error);
    },
    async cancel(id) {
      transition(id, 'cancelled');
      const entry = jobs.get(id);
      return entry ? structuredClone(entry.job) : undefined;
    },
    async running() {
      return [...jobs.values()].filter((e) => e.job.state === 'running').map((e) => e.job.id);
    },
    async lease(id, owner, ms) {
      const cur = leases.get(id);
      if (cur && cur.owner !== owner && cur.until > now()) return false;
      leases.set(id, { owner, until: now() + ms });
      return true;
    },
    async release(id, owner) {
      if (leases.get(id)?.owner === owner) leases.delete(id);
    },
  };
}
