import type { Redis } from 'ioredis';
import type { Channel, ChannelMessage } from '@gateway/contracts';
import type { ErrorClass } from '../ports';
import { ClaimStore, type Claims, type FinalClaim } from './claims';
import { checkExec } from './delay-queue';
import type { FailedKeys } from './keys';

type MessageRecipientOf = ChannelMessage['recipient'];

/** What an operator sees for a message that was given up, with everything needed to resend it. */
export interface FailedRecord {
  messageId: string;
  eventId: string;
  channel: Channel;
  recipient: MessageRecipientOf;
  /**
   * failed: a permanent error; dead: transient errors until the attempts ran out; undelivered: the
   * provider accepted it, then the carrier reported it could not reach the phone.
   */
  state: 'failed' | 'dead' | 'undelivered';
  reason: string;
  errorClass: ErrorClass;
  code?: string;
  provider?: string;
  providerAnswer?: string;
  attempts: number;
  at: string;
  message: ChannelMessage;
}

/** A carrier's late report that a message the provider accepted did not reach the phone. */
export interface UndeliveredReport {
  at: string;
  provider: string;
  code?: string;
  answer?: string;
}

/** Port: failed records (see FailedRecordStore). The in-memory adapter is MemoryFailedRecords. */
export interface FailedRecords {
  /** Stores the record and the message's final claim together. */
  record(record: FailedRecord, claims: Claims): Promise<void>;
  get(messageId: string): Promise<FailedRecord | undefined>;
  /** Newest first. */
  list(options?: { limit?: number }): Promise<FailedRecord[]>;
  /**
   * Keeps a copy of a message the provider accepted, for `ttlMs`, so that when its carrier reports
   * it undelivered later an operator can still correct and resend it. Only a channel with delivery
   * reports keeps copies (SMS through Twilio with status callbacks).
   */
  keepSent(message: ChannelMessage, ttlMs: number): Promise<void>;
  /**
   * The carrier reported a sent message undelivered: its kept copy becomes a failed record in state
   * `undelivered` (the claim stays `sent`: the original is never sent again by itself). Undefined
   * when no copy is kept (none was, or it expired); a repeated report returns the first record.
   */
  recordUndelivered(messageId: string, report: UndeliveredReport): Promise<FailedRecord | undefined>;
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

/** Failed records under `failed:<id>` (JSON) plus `failed:index` (ids by time), written with the final claim in one MULTI. */
export class FailedRecordStore implements FailedRecords {
  constructor(
    private readonly redis: Redis,
    private readonly keys: FailedKeys,
    /** How long a record is kept (only writing uses it). */
    private readonly options: { ttlMs: number },
  ) {}

  async record(record: FailedRecord, claims: Claims): Promise<void> {
    if (record.state === 'undelivered') throw new TypeError('FailedRecordStore.record: an undelivered message keeps its sent claim (use recordUndelivered)');
    const claim: FinalClaim = { state: record.state, at: record.at, attempt: record.attempts };
    if (!(claims instanceof ClaimStore)) throw new TypeError('FailedRecordStore.record: the claims must be in the same Redis (a ClaimStore)');
    const [claimKey, claimValue, claimTtl] = claims.finalCommand(record.messageId, claim);
    await this.redis
      .multi()
      .set(this.keys.failed(record.messageId), JSON.stringify(record), 'PX', this.options.ttlMs)
      .zadd(this.keys.failedIndex, Date.parse(record.at), record.messageId)
      .set(claimKey, claimValue, 'PX', claimTtl)
      .exec()
      .then(checkExec);
  }

  async keepSent(message: ChannelMessage, ttlMs: number): Promise<void> {
    await this.redis.set(this.keys.sentCopy(message.id), JSON.stringify(message), 'PX', ttlMs);
  }

  async recordUndelivered(messageId: string, report: UndeliveredReport): Promise<FailedRecord | undefined> {
    const [copy, earlier] = await Promise.all([this.redis.get(this.keys.sentCopy(messageId)), this.get(messageId)]);
    // Twilio calls again when an answer was lost: the first report's record stands.
    if (earlier?.state === 'undelivered') return earlier;
    if (copy === null) return undefined;
    const record = undeliveredRecord(JSON.parse(copy) as ChannelMessage, report);
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
    return raw === null ? undefined : (JSON.parse(raw) as FailedRecord);
  }

  /** Newest first. */
  async list(options: { limit?: number } = {}): Promise<FailedRecord[]> {
    const ids = await this.redis.zrevrange(this.keys.failedIndex, 0, (options.limit ?? 100) - 1);
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(ids.map((id) => this.keys.failed(id)));
    return raws.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as FailedRecord);
  }
}
