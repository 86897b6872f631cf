import type { DelayedItem, Delays, TakenItem } from './delay-queue';
import { checkRateLimit, type RateLimit, type RateLimiter } from './rate-limiter';

// The embedded mode's adapters of the worker's own stores (the delivery ledger has its own, in
// @gateway/delivery-ledger): the same rules as the Redis ones (and the same conformance tests,
// services/workers/core/test/stores.conformance.test.ts), in this process's memory. One process is
// the only replica there, so "atomic" is "synchronous".

export class MemoryDelayQueue implements Delays {
  /** id → stored JSON and the time it is (next) due. */
  private readonly items = new Map<string, { raw: string; dueAt: number }>();

  async schedule(item: DelayedItem): Promise<void> {
    this.items.set(item.message.id, { raw: JSON.stringify(item), dueAt: item.dueAt });
  }

  async take(now: number, leaseMs: number, limit: number): Promise<TakenItem[]> {
    const due = [...this.items].filter(([, v]) => v.dueAt <= now).sort((a, b) => a[1].dueAt - b[1].dueAt).slice(0, limit);
    const taken: TakenItem[] = [];
    for (const [id, v] of due) {
      v.dueAt = now + leaseMs;
      try {
        taken.push({ id, raw: v.raw, item: JSON.parse(v.raw) as DelayedItem });
      } catch {
        this.items.delete(id);
      }
    }
    return taken;
  }

  async remove(id: string, raw: string): Promise<boolean> {
    if (this.items.get(id)?.raw !== raw) return false;
    this.items.delete(id);
    return true;
  }

  async nextDue(): Promise<number | undefined> {
    let min: number | undefined;
    for (const v of this.items.values()) if (min === undefined || v.dueAt < min) min = v.dueAt;
    return min;
  }

  async size(): Promise<number> {
    return this.items.size;
  }
}

/** GCRA with reservations, as RedisRateLimiter, on this process's clock. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly tat = new Map<string, number>();

  constructor(private readonly now: () => number = () => performance.timeOrigin + performance.now()) {}

  async reserve(bucket: string, limit: RateLimit): Promise<{ ok: true; waitMs: number } | { ok: false; waitMs: number }> {
    checkRateLimit(limit);
    const interval = 1000 / limit.perSecond;
    const tolerance = interval * (limit.burst - 1);
    const now = this.now();
    const tat = Math.max(this.tat.get(bucket) ?? 0, now);
    const wait = Math.max(0, tat - tolerance - now);
    if (wait > limit.maxWaitMs) return { ok: false, waitMs: Math.ceil(wait) };
    this.tat.set(bucket, tat + interval);
    return { ok: true, waitMs: Math.ceil(wait) };
  }
}
