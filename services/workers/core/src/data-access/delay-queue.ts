import type { Redis } from 'ioredis';
import type { ChannelMessage } from '@gateway/contracts';
import { checkExec, LuaScript } from '@gateway/common';
import type { WorkerKeys } from './keys';

/** A message waiting for its next attempt. */
export interface DelayedItem {
  /** The message as it will be sent next (its `attempt` already the next one). */
  message: ChannelMessage;
  /** Kafka key and headers to produce it with, so the retry keeps the recipient's partition and the correlation id. */
  key: string | null;
  headers: Record<string, string>;
  dueAt: number;
  /** Makes two schedulings of the same message distinguishable (see `remove`). */
  scheduledAt: number;
}

export interface TakenItem {
  id: string;
  /** The stored JSON, exactly as taken: `remove` deletes only if it is still this one. */
  raw: string;
  item: DelayedItem;
}

// Takes what is due and re-scores it to now + lease in the same step, so two movers never take the
// same item at once, and a mover that dies after taking it only delays it by the lease.
const TAKE = new LuaScript(
  `local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, id in ipairs(ids) do
  local raw = redis.call('HGET', KEYS[2], id)
  if raw then
    redis.call('ZADD', KEYS[1], ARGV[2], id)
    out[#out + 1] = id
    out[#out + 1] = raw
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return out`,
  2,
);

// Deletes only the item that was taken: if the message was scheduled again meanwhile (its retry ran,
// failed and was put back), the new schedule stays.
const REMOVE = new LuaScript(
  `if redis.call('HGET', KEYS[2], ARGV[1]) == ARGV[2] then
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 1
end
return 0`,
  2,
);

/** Port: the durable delay of one channel (see DelayQueue). The in-memory adapter is MemoryDelayQueue. */
export interface Delays {
  schedule(item: DelayedItem): Promise<void>;
  /** Takes what is due and hides it for `leaseMs`; a taken item not removed comes back after the lease. */
  take(now: number, leaseMs: number, limit: number): Promise<TakenItem[]>;
  /** Deletes a taken item, unless it was scheduled again since. */
  remove(id: string, raw: string): Promise<boolean>;
  nextDue(): Promise<number | undefined>;
  size(): Promise<number>;
}

/**
 * The durable delay of one channel: a sorted set of message ids scored by due time, and a hash of
 * the items. It lives in Redis, so it survives a worker restart, and a Redis restart when Redis
 * persists (AOF).
 */
export class DelayQueue implements Delays {
  constructor(
    private readonly redis: Redis,
    private readonly keys: WorkerKeys,
  ) {}

  async schedule(item: DelayedItem): Promise<void> {
    await this.redis.multi().hset(this.keys.delayItems, item.message.id, JSON.stringify(item)).zadd(this.keys.delay, item.dueAt, item.message.id).exec().then(checkExec);
  }

  async take(now: number, leaseMs: number, limit: number): Promise<TakenItem[]> {
    const flat = (await TAKE.run(this.redis, [this.keys.delay, this.keys.delayItems], [now, now + leaseMs, limit])) as string[];
    const taken: TakenItem[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const id = flat[i] as string;
      const raw = flat[i + 1] as string;
      let item: DelayedItem;
      try {
        item = JSON.parse(raw) as DelayedItem;
      } catch {
        // Not ours: drop it rather than take it again every lease.
        await this.remove(id, raw);
        continue;
      }
      taken.push({ id, raw, item });
    }
    return taken;
  }

  async remove(id: string, raw: string): Promise<boolean> {
    return (await REMOVE.run(this.redis, [this.keys.delay, this.keys.delayItems], [id, raw])) === 1;
  }

  /** The earliest due time, or undefined when nothing waits. */
  async nextDue(): Promise<number | undefined> {
    const first = await this.redis.zrange(this.keys.delay, 0, 0, 'WITHSCORES');
    return first[1] === undefined ? undefined : Number(first[1]);
  }

  async size(): Promise<number> {
    return this.redis.zcard(this.keys.delay);
  }
}
