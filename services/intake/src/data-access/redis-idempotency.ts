import type { Redis } from 'ioredis';
import type { BeginResult, IdempotencyStore, StoredAnswer } from '../domain/idempotency';

// One round trip, atomic: claim the key if free, else return what is stored. Read-then-write
// from the client would let two concurrent duplicates both publish.
const BEGIN = `
local ok = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
if ok then return nil end
return redis.call('GET', KEYS[1])
`;

// Only the request that claimed the key (same fingerprint, still pending) may settle it.
const SETTLE = `
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
local rec = cjson.decode(cur)
if rec.f ~= ARGV[1] or rec.s ~= 'pending' then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1
`;

interface Stored {
  s: 'pending' | 'done';
  f: string;
  a?: StoredAnswer;
}

export interface RedisIdempotencyOptions {
  prefix: string;
  /** How long a finished answer is replayed. */
  retentionMs: number;
  /** How long a claim may stay pending before another request may take over (a crashed holder). */
  pendingMs: number;
}

export function createRedisIdempotencyStore(redis: Redis, options: RedisIdempotencyOptions): IdempotencyStore {
  redis.defineCommand('gwIdemBegin', { numberOfKeys: 1, lua: BEGIN });
  redis.defineCommand('gwIdemSettle', { numberOfKeys: 1, lua: SETTLE });
  type Scripted = Redis & {
    gwIdemBegin(key: string, value: string, ttl: number): Promise<string | null>;
    gwIdemSettle(key: string, fingerprint: string, value: string, ttl: number): Promise<number>;
  };
  const r = redis as Scripted;
  const keyOf = (scope: string, key: string) => `${options.prefix}idem:${scope}:${key}`;

  return {
    async begin(scope, key, fp): Promise<BeginResult> {
      const pending: Stored = { s: 'pending', f: fp };
      const current = await r.gwIdemBegin(keyOf(scope, key), JSON.stringify(pending), options.pendingMs);
      if (current === null) return { state: 'acquired' };
      const stored = JSON.parse(current) as Stored;
      if (stored.f !== fp) return { state: 'conflict' };
      if (stored.s === 'done' && stored.a) return { state: 'done', answer: stored.a };
      return { state: 'pending' };
    },
    async complete(scope, key, fp, answer) {
      const done: Stored = { s: 'done', f: fp, a: answer };
      await r.gwIdemSettle(keyOf(scope, key), fp, JSON.stringify(done), options.retentionMs);
    },
    async abandon(scope, key, fp) {
      await r.gwIdemSettle(keyOf(scope, key), fp, '', 0);
    },
  };
}
