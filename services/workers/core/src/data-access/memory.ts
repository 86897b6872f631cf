import { randomBytes } from 'node:crypto';
import { MemoryKv } from '@gateway/common';
import type { ClaimResult, ClaimStoreOptions, Claims, FinalClaim } from './claims';
import { parseFinal } from './claims';
import type { DelayedItem, Delays, TakenItem } from './delay-queue';
import { failedRecordSchema, type ChannelMessage } from '@gateway/contracts';
import { finalClaimOf, readStored, undeliveredRecord, withRecord, type FailedRecord, type FailedRecordShelf, type FailedRecords, type OnUnreadable, type UndeliveredReport } from './failed-records';
import { checkRateLimit, type RateLimit, type RateLimiter } from './rate-limiter';

// The embedded mode's adapters of the worker stores: the same rules as the Redis ones (and the
// same conformance tests, services/workers/core/test/stores.conformance.test.ts), in this process's
// memory. One process is the only replica there, so "atomic" is "synchronous".

const SENDING = 'sending:';

export class MemoryClaimStore implements Claims {
  private sequence = 0;

  constructor(
    private readonly options: ClaimStoreOptions,
    private readonly kv = new MemoryKv(),
  ) {
    if (!(options.leaseMs > 0) || !(options.waitMs >= 0) || !(options.doneTtlMs > 0)) throw new RangeError('MemoryClaimStore: leaseMs and doneTtlMs must be positive, waitMs >= 0');
  }

  async acquire(messageId: string, signal?: { aborted: boolean }): Promise<ClaimResult> {
    this.sequence += 1;
    const token = `${this.options.owner}:${this.sequence}:${randomBytes(3).toString('hex')}`;
    const deadline = Date.now() + this.options.waitMs;
    for (;;) {
      if (this.kv.setIfAbsent(messageId, `${SENDING}${token}`, this.options.leaseMs)) return { kind: 'acquired', token };
      const current = this.kv.get(messageId) ?? '';
      if (!current.startsWith(SENDING)) {
        const claim = parseFinal(current);
        if (claim) return { kind: 'done', claim };
      }
      if (Date.now() >= deadline || signal?.aborted) return { kind: 'busy' };
      await new Promise((resolve) => setTimeout(resolve, this.options.pollMs ?? 100));
    }
  }

  async markSent(messageId: string, info: { at: string; attempt: number; provider: string; providerMessageId?: string }): Promise<void> {
    this.kv.set(messageId, JSON.stringify({ state: 'sent', ...info } satisfies FinalClaim), this.options.doneTtlMs);
  }

  async finalize(messageId: string, claim: FinalClaim): Promise<void> {
    this.kv.set(messageId, JSON.stringify(claim), this.options.doneTtlMs);
  }

  async release(messageId: string, token: string): Promise<void> {
    if (this.kv.get(messageId) === `${SENDING}${token}`) this.kv.delete(messageId);
  }

  async peek(messageId: string): Promise<FinalClaim | { state: 'sending'; owner: string } | undefined> {
    const value = this.kv.get(messageId);
    if (value === undefined) return undefined;
    if (value.startsWith(SENDING)) return { state: 'sending', owner: value.slice(SENDING.length) };
    return parseFinal(value);
  }
}

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

/**
 * The failed records of a process, kept as the JSON Redis would hold so that every read parses
 * them as the Redis adapter does. Workers write through `withClaims`.
 */
export class MemoryFailedRecords implements FailedRecordShelf {
  private readonly records: Map<string, string>;
  private readonly sentCopies = new Map<string, { message: ChannelMessage; until: number }>();

  constructor(
    private readonly options: {
      maxRecords?: number;
      now?: () => number;
      onUnreadable?: OnUnreadable;
      /** The records' JSON by message id (tests write into it what Redis could hold). */
      stored?: Map<string, string>;
    } = {},
  ) {
    this.records = options.stored ?? new Map();
  }

  /** The worker's port: records written with their final claim. */
  withClaims(claims: Pick<Claims, 'finalize'>): FailedRecords {
    return withRecord(this, async (record) => {
      await claims.finalize(record.messageId, finalClaimOf(record, 'MemoryFailedRecords'));
      this.keep(record);
    });
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  async keepSent(message: ChannelMessage, ttlMs: number): Promise<void> {
    const now = this.now();
    this.sentCopies.delete(message.id);
    this.sentCopies.set(message.id, { message, until: now + ttlMs });
    // Oldest first: drop the expired ones and, past the bound, the oldest.
    const max = this.options.maxRecords ?? 100_000;
    for (const [id, copy] of this.sentCopies) {
      if (copy.until > now && this.sentCopies.size <= max) break;
      this.sentCopies.delete(id);
    }
  }

  async recordUndelivered(messageId: string, report: UndeliveredReport): Promise<FailedRecord | undefined> {
    const earlier = await this.get(messageId);
    if (earlier?.state === 'undelivered') return earlier;
    const copy = this.sentCopies.get(messageId);
    if (!copy || copy.until <= this.now()) return undefined;
    const record = undeliveredRecord(copy.message, report);
    this.keep(record);
    return record;
  }

  private keep(record: FailedRecord): void {
    this.records.delete(record.messageId);
    this.records.set(record.messageId, JSON.stringify(record));
    const max = this.options.maxRecords ?? 100_000;
    for (const id of this.records.keys()) {
      if (this.records.size <= max) break;
      this.records.delete(id);
    }
  }

  async get(messageId: string): Promise<FailedRecord | undefined> {
    const raw = this.records.get(messageId);
    return raw === undefined ? undefined : readStored(failedRecordSchema, messageId, raw, this.options.onUnreadable);
  }

  async list(options: { limit?: number } = {}): Promise<FailedRecord[]> {
    const records = [...this.records].flatMap(([id, raw]) => {
      const record = readStored(failedRecordSchema, id, raw, this.options.onUnreadable);
      return record ? [record] : [];
    });
    return records.sort((a, b) => Date.parse(b.at) - Date.parse(a.at)).slice(0, options.limit ?? 100);
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
