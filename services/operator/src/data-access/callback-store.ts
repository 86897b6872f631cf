import type { Redis } from 'ioredis';
import { z } from 'zod';
import { callbackBatchSchema, dateTimeSchema, type CallbackBatch } from '@gateway/contracts';
import type { MessageOrigin } from '../domain/callbacks';

/** A batch the dispatcher gave up on, kept until it is replayed. */
export interface DeadCallback {
  batch: CallbackBatch;
  reason: string;
  attempts: number;
  at: string;
}

const deadCallbackSchema = z.strictObject({ batch: callbackBatchSchema, reason: z.string(), attempts: z.int().min(1), at: dateTimeSchema });
const originSchema = z.strictObject({ source: z.string().min(1), recipientId: z.string().min(1).optional() });

/** Port: what the callback dispatcher keeps. */
export interface CallbackStore {
  /** Who each message is for, learnt from its first status. */
  rememberOrigins(entries: ReadonlyArray<{ messageId: string; origin: MessageOrigin }>): Promise<void>;
  origins(messageIds: readonly string[]): Promise<Map<string, MessageOrigin>>;
  addDead(dead: DeadCallback): Promise<void>;
  /** The key's dead batches, oldest first, optionally within [fromMs, toMs] of when they died. */
  listDead(key: string, range?: { fromMs?: number; toMs?: number }): Promise<DeadCallback[]>;
  removeDead(key: string, batchId: string): Promise<void>;
}

/** Dead batches per key in a sorted set by time (members are the batch ids) and a hash of their bodies. */
export function createRedisCallbackStore(redis: Redis, prefix: string, options: { originTtlMs: number }): CallbackStore {
  const originKey = (messageId: string) => `${prefix}cb:origin:${messageId}`;
  const deadIndex = (key: string) => `${prefix}cb:dead:${key}`;
  const deadBodies = (key: string) => `${prefix}cb:dead-body:${key}`;
  return {
    async rememberOrigins(entries) {
      if (entries.length === 0) return;
      const pipeline = redis.pipeline();
      for (const { messageId, origin } of entries) pipeline.set(originKey(messageId), JSON.stringify(origin), 'PX', options.originTtlMs);
      await pipeline.exec();
    },
    async origins(messageIds) {
      const found = new Map<string, MessageOrigin>();
      if (messageIds.length === 0) return found;
      const values = await redis.mget(messageIds.map(originKey));
      values.forEach((value, i) => {
        const parsed = value === null ? undefined : originSchema.safeParse(JSON.parse(value));
        const id = messageIds[i];
        if (parsed?.success && id !== undefined) found.set(id, parsed.data);
      });
      return found;
    },
    async addDead(dead) {
      await redis.multi().zadd(deadIndex(dead.batch.key), Date.parse(dead.at), dead.batch.id).hset(deadBodies(dead.batch.key), dead.batch.id, JSON.stringify(dead)).exec();
    },
    async listDead(key, range = {}) {
      const ids = await redis.zrangebyscore(deadIndex(key), range.fromMs ?? '-inf', range.toMs ?? '+inf');
      if (ids.length === 0) return [];
      const bodies = await redis.hmget(deadBodies(key), ...ids);
      return bodies.flatMap((body) => {
        const parsed = body === null ? undefined : deadCallbackSchema.safeParse(JSON.parse(body));
        return parsed?.success ? [parsed.data] : [];
      });
    },
    async removeDead(key, batchId) {
      await redis.multi().zrem(deadIndex(key), batchId).hdel(deadBodies(key), batchId).exec();
    },
  };
}

export function createMemoryCallbackStore(): CallbackStore {
  const origins = new Map<string, MessageOrigin>();
  const dead = new Map<string, Map<string, DeadCallback>>();
  return {
    async rememberOrigins(entries) {
      for (const { messageId, origin } of entries) origins.set(messageId, { ...origin });
    },
    async origins(messageIds) {
      return new Map(messageIds.flatMap((id) => {
        const origin = origins.get(id);
        return origin ? [[id, { ...origin }] as const] : [];
      }));
    },
    async addDead(entry) {
      const byId = dead.get(entry.batch.key) ?? new Map<string, DeadCallback>();
      byId.set(entry.batch.id, structuredClone(entry));
      dead.set(entry.batch.key, byId);
    },
    async listDead(key, range = {}) {
      const within = (d: DeadCallback) => (range.fromMs === undefined || Date.parse(d.at) >= range.fromMs) && (range.toMs === undefined || Date.parse(d.at) <= range.toMs);
      return [...(dead.get(key)?.values() ?? [])].filter(within).sort((a, b) => Date.parse(a.at) - Date.parse(b.at)).map((d) => structuredClone(d));
    },
    async removeDead(key, batchId) {
      dead.get(key)?.delete(batchId);
    },
  };
}
