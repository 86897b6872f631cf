import { MemoryKv } from '@gateway/common';
import type { BeginResult, IdempotencyStore } from '../domain/idempotency';
import type { RedisIdempotencyOptions } from './redis-idempotency';

interface Stored {
  s: 'pending' | 'done';
  f: string;
  a?: { status: number; body: Record<string, unknown> };
}

/** The idempotency store of the embedded mode: the same rules as the Redis adapter, in this process's memory. */
export function createMemoryIdempotencyStore(options: Omit<RedisIdempotencyOptions, 'prefix'>, kv = new MemoryKv()): IdempotencyStore {
  const keyOf = (scope: string, key: string) => `${scope}:${key}`;
  const settle = (k: string, fp: string, next: Stored | undefined) => {
    const raw = kv.get(k);
    if (raw === undefined) return;
    const cur = JSON.parse(raw) as Stored;
    if (cur.f !== fp || cur.s !== 'pending') return;
    if (next) kv.set(k, JSON.stringify(next), options.retentionMs);
    else kv.delete(k);
  };
  return {
    async begin(scope, key, fp): Promise<BeginResult> {
      const k = keyOf(scope, key);
      if (kv.setIfAbsent(k, JSON.stringify({ s: 'pending', f: fp } satisfies Stored), options.pendingMs)) return { state: 'acquired' };
      const stored = JSON.parse(kv.get(k) as string) as Stored;
      if (stored.f !== fp) return { state: 'conflict' };
      if (stored.s === 'done' && stored.a) return { state: 'done', answer: stored.a };
      return { state: 'pending' };
    },
    async complete(scope, key, fp, answer) {
      settle(keyOf(scope, key), fp, { s: 'done', f: fp, a: answer });
    },
    async abandon(scope, key, fp) {
      settle(keyOf(scope, key), fp, undefined);
    },
  };
}
