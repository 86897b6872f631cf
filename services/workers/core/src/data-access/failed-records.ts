import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { channelMessageSchema, failedRecordSchema, type ChannelMessage, type FailedRecord } from '@gateway/contracts';
import type { ClaimStore, FinalClaim } from './claims';
import { checkExec } from './delay-queue';
import type { FailedKeys } from './keys';

export type { FailedRecord };

/** A stored failed record (or kept copy) that no longer parses: skipped by the reads, and reported. */
export interface UnreadableFailedRecord {
  messageId: string;
  /** What is wrong, by field; never the stored values (they hold the contact). */
  reason: string;
}

/** Where the adapters report an unreadable record (the composition root logs it). */
export type OnUnreadable = (problem: UnreadableFailedRecord) => void;

/**
 * Parses a stored record (or, with `channelMessageSchema`, a kept copy); what does not parse is
 * reported and read as absent. A JSON error's message quotes the text, which holds the contact, so
 * only its kind is kept.
 */
export function readStored<T>(schema: z.ZodType<T>, messageId: string, raw: string, onUnreadable: OnUnreadable | undefined): T | undefined {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    onUnreadable?.({ messageId, reason: 'not JSON' });
    return undefined;
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  onUnreadable?.({ messageId, reason: parsed.error.issues.map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`).join('; ') });
  return undefined;
}

/** A carrier's late report that a message the provider accepted did not reach the phone. */
export interface UndeliveredReport {
  at: string;
  provider: string;
  code?: string;
  answer?: string;
}

/** Port: reading the failed records (the operator reads them, the workers write them). */
export interface FailedRecordReader {
  /** Undefined when there is none, or when it no longer parses (then it is reported). */
  get(messageId: string): Promise<FailedRecord | undefined>;
  /** Newest first; records that no longer parse are skipped (and reported). */
  list(options?: { limit?: number }): Promise<FailedRecord[]>;
}

/** Port: a worker's failed records (see FailedRecordStore.withClaims, MemoryFailedRecords.withClaims). */
export interface FailedRecords extends FailedRecordReader {
  /** Stores the record and marks the message's claim final (`failed` or `dead`), together. */
  record(record: FailedRecord): Promise<void>;
  /**
   * Keeps a copy of a message the provider accepted, for `ttlMs`, so that when its carrier reports
   * it undelivered later an operator can still correct and resend it. Only a channel with delivery
   * reports keeps copies (SMS through Twilio with status callbacks).
   */
  keepSent(message: ChannelMessage, ttlMs: number): Promise<void>;
  /**
   * The carrier reported a sent message undelivered: its kept copy becomes a failed record in state
   * `undelivered` (the claim stays `sent`: the original is never sent again by itself). Undefined
   * when no copy is kept (none was, it expired, or it no longer parses); a repeated report returns
   * the first record.
   */
  recordUndelivered(messageId: string, report: UndeliveredReport): Promise<FailedRecord | undefined>;
}

/** An adapter's records and copies, before it is given the claims its `record` marks. */
export type FailedRecordShelf = Omit<FailedRecords, 'record'>;

/** The port over a shelf and the `record` that writes into it and into its claims. */
export function withRecord(shelf: FailedRecordShelf, record: FailedRecords['record']): FailedRecords {
  return {
    record,
    get: (messageId) => shelf.get(messageId),
    list: (options) => shelf.list(options),
    keepSent: (message, ttlMs) => shelf.keepSent(message, ttlMs),
    recordUndelivered: (messageId, report) => shelf.recordUndelivered(messageId, report),
  };
}

/** Refuses what `record` must not write: an undelivered message keeps its sent claim. */
export function finalClaimOf(record: FailedRecord, adapter: string): FinalClaim {
  if (record.state === 'undelivered') throw new TypeError(`${adapter}.record: an undelivered message keeps its sent claim (use recordUndelivered)`);
  return { state: record.state, at: record.at, attempt: record.attempts };
}

/** The failed record for a kept copy that its carrier reported undelivered. */
export function undeliveredRecord(message: ChannelMessage, report: UndeliveredReport): FailedRecord {
  return {
    messageId: message.id,
    eventId: message.eventId,
    channel: message.channel,
    recipient: message.recipient,
    state: 'undelivered',
    reason: `the carrier reported it undelivered${report.code ? ` (error ${report.code})` : ''} after ${report.provider} accepted it`,
    errorClass: 'permanent',
    ...(report.code ? { code: report.code } : {}),
    provider: report.provider,
    ...(report.answer ? { providerAnswer: report.answer } : {}),
    attempts: message.attempt,
    at: report.at,
    message,
  };
}

/**
 * Failed records under `failed:<id>` (JSON) plus `failed:index` (ids by time). The operator reads
 * them as they are; a worker writes through `withClaims`, which puts the final claim in the same MULTI.
 */
export class FailedRecordStore implements FailedRecordShelf {
  constructor(
    private readonly redis: Redis,
    private readonly keys: FailedKeys,
    /** How long a record is kept (only writing uses it). */
    private readonly options: { ttlMs: number; onUnreadable?: OnUnreadable },
  ) {}

  /** The worker's port: records written with their final claim, in the claims' Redis. */
  withClaims(claims: ClaimStore): FailedRecords {
    return withRecord(this, async (record) => {
      const [claimKey, claimValue, claimTtl] = claims.finalCommand(record.messageId, finalClaimOf(record, 'FailedRecordStore'));
      await this.redis
        .multi()
        .set(this.keys.failed(record.messageId), JSON.stringify(record), 'PX', this.options.ttlMs)
        .zadd(this.keys.failedIndex, Date.parse(record.at), record.messageId)
        .set(claimKey, claimValue, 'PX', claimTtl)
        .exec()
        .then(checkExec);
    });
  }

  async keepSent(message: ChannelMessage, ttlMs: number): Promise<void> {
    await this.redis.set(this.keys.sentCopy(message.id), JSON.stringify(message), 'PX', ttlMs);
  }

  async recordUndelivered(messageId: string, report: UndeliveredReport): Promise<FailedRecord | undefined> {
    const [copy, earlier] = await Promise.all([this.redis.get(this.keys.sentCopy(messageId)), this.get(messageId)]);
    // Twilio calls again when an answer was lost: the first report's record stands.
    if (earlier?.state === 'undelivered') return earlier;
    if (copy === null) return undefined;
    const message = readStored(channelMessageSchema, messageId, copy, this.options.onUnreadable);
    if (!message) return undefined;
    const record = undeliveredRecord(message, report);
    await this.redis
      .multi()
      .set(this.keys.failed(messageId), JSON.stringify(record), 'PX', this.options.ttlMs)
      .zadd(this.keys.failedIndex, Date.parse(record.at), messageId)
      .exec()
      .then(checkExec);
    return record;
  }

  async get(messageId: string): Promise<FailedRecord | undefined> {
    const raw = await this.redis.get(this.keys.failed(messageId));
    return raw === null ? undefined : readStored(failedRecordSchema, messageId, raw, this.options.onUnreadable);
  }

  /** Newest first. */
  async list(options: { limit?: number } = {}): Promise<FailedRecord[]> {
    const ids = await this.redis.zrevrange(this.keys.failedIndex, 0, (options.limit ?? 100) - 1);
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(ids.map((id) => this.keys.failed(id)));
    return ids.flatMap((id, i) => {
      const raw = raws[i];
      const record = raw === null || raw === undefined ? undefined : readStored(failedRecordSchema, id, raw, this.options.onUnreadable);
      return record ? [record] : [];
    });
  }
}
