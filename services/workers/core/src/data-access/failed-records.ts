import type { Redis } from 'ioredis';
import type { Channel, ChannelMessage } from '@gateway/contracts';
import type { ErrorClass } from '../ports';
import { ClaimStore, type Claims, type FinalClaim } from './claims';
import { checkExec } from './delay-queue';
import type { WorkerKeys } from './keys';

type MessageRecipientOf = ChannelMessage['recipient'];

/** What an operator sees for a message that was given up, with everything needed to resend it. */
export interface FailedRecord {
  messageId: string;
  eventId: string;
  channel: Channel;
  recipient: MessageRecipientOf;
  /** failed: a permanent error; dead: transient errors until the attempts ran out. */
  state: 'failed' | 'dead';
  reason: string;
  errorClass: ErrorClass;
  code?: string;
  provider?: string;
  providerAnswer?: string;
  attempts: number;
  at: string;
  message: ChannelMessage;
}

/** Port: failed records (see FailedRecordStore). The in-memory adapter is MemoryFailedRecords. */
export interface FailedRecords {
  /** Stores the record and the message's final claim together. */
  record(record: FailedRecord, claims: Claims): Promise<void>;
  get(messageId: string): Promise<FailedRecord | undefined>;
  /** Newest first. */
  list(options?: { limit?: number }): Promise<FailedRecord[]>;
}

/** Failed records under `failed:<id>` (JSON) plus `failed:index` (ids by time), written with the final claim in one MULTI. */
export class FailedRecordStore implements FailedRecords {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Pick<WorkerKeys, 'failed' | 'failedIndex'>,
    /** How long a record is kept (only writing uses it). */
    private readonly options: { ttlMs: number },
  ) {}

  async record(record: FailedRecord, claims: Claims): Promise<void> {
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
