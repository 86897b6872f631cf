import type { Redis } from 'ioredis';
import { channelMessageSchema, failedRecordSchema, type ChannelMessage, type FailedRecord } from '@gateway/contracts';
import { checkExec, LuaScript } from '@gateway/common';
import { ledgerKeys, type LedgerKeys } from './keys';
import type { ClaimResult, ClaimState, DeliveryLedger, FailedRecordReader, OnUnreadable, SentMark, SharedLedger, UndeliveredReport, WorkerLedgerOptions } from './port';
import { checkClaimOptions, claimState, finalClaimOf, pollClaim, readStored, SENDING, sentValue, tokens, undeliveredRecord } from './records';

// SET NX or tell what is there, in one round trip.
const ACQUIRE = new LuaScript(
  `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
return redis.call('GET', KEYS[1])`,
  1,
);

const RELEASE = new LuaScript(
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,
  1,
);

export interface RedisLedgerOptions {
  /** The deployment's key prefix (`REDIS_KEY_PREFIX`), shared by every service on this Redis. */
  prefix: string;
  onUnreadable?: OnUnreadable;
}

/**
 * The ledger on Redis. Claims: `SET claim:<id> sending:<token> NX PX <lease>` before the provider
 * is called, `sent:{…}` after it accepted (before the status is published and the offset
 * committed), `failed`/`dead` when it is given up, in the same MULTI as the failed record
 * (`failed:<id>` JSON plus `failed:index`, ids by time). A transient failure releases the claim so
 * the retry can take it again.
 */
export function createRedisLedger(redis: Redis, options: RedisLedgerOptions): SharedLedger {
  const keys = ledgerKeys(options.prefix);
  const reader = redisFailedRecords(redis, keys, options.onUnreadable);
  return { ...reader, forWorker: (worker) => redisWorkerLedger(redis, keys, reader, worker, options.onUnreadable) };
}

function redisFailedRecords(redis: Redis, keys: LedgerKeys, onUnreadable: OnUnreadable | undefined): FailedRecordReader {
  return {
    async getFailed(messageId) {
      const raw = await redis.get(keys.failed(messageId));
      return raw === null ? undefined : readStored(failedRecordSchema, messageId, raw, onUnreadable);
    },
    async listFailed(options = {}) {
      const ids = await redis.zrevrange(keys.failedIndex, 0, (options.limit ?? 100) - 1);
      if (ids.length === 0) return [];
      const raws = await redis.mget(ids.map((id) => keys.failed(id)));
      return ids.flatMap((id, i) => {
        const raw = raws[i];
        const record = raw === null || raw === undefined ? undefined : readStored(failedRecordSchema, id, raw, onUnreadable);
        return record ? [record] : [];
      });
    },
  };
}

function redisWorkerLedger(redis: Redis, keys: LedgerKeys, reader: FailedRecordReader, options: WorkerLedgerOptions, onUnreadable: OnUnreadable | undefined): DeliveryLedger {
  checkClaimOptions(options, 'RedisLedger');
  const nextToken = tokens(options.owner);

  return {
    ...reader,

    async claim(messageId: string, signal?: { aborted: boolean }): Promise<ClaimResult> {
      const token = nextToken();
      return pollClaim(token, options, signal, async () => {
        const current = await ACQUIRE.run(redis, [keys.claim(messageId)], [`${SENDING}${token}`, options.leaseMs]);
        // Not a string nor null: not ours either, so held like a foreign claim.
        return current === null || typeof current === 'string' ? current : '';
      });
    },

    async release(messageId: string, token: string): Promise<void> {
      await RELEASE.run(redis, [keys.claim(messageId)], [`${SENDING}${token}`]);
    },

    async markSent(messageId: string, sent: SentMark): Promise<void> {
      await redis.set(keys.claim(messageId), sentValue(sent), 'PX', options.doneTtlMs);
    },

    async recordFailure(record: FailedRecord): Promise<void> {
      const claim = finalClaimOf(record, 'RedisLedger');
      await redis
        .multi()
        .set(keys.failed(record.messageId), JSON.stringify(record), 'PX', options.failedRecordTtlMs)
        .zadd(keys.failedIndex, Date.parse(record.at), record.messageId)
        .set(keys.claim(record.messageId), JSON.stringify(claim), 'PX', options.doneTtlMs)
        .exec()
        .then(checkExec);
    },

    async keepSentCopy(message: ChannelMessage, ttlMs: number): Promise<void> {
      await redis.set(keys.sentCopy(message.id), JSON.stringify(message), 'PX', ttlMs);
    },

    async recordUndelivered(messageId: string, report: UndeliveredReport): Promise<FailedRecord | undefined> {
      const [copy, earlier] = await Promise.all([redis.get(keys.sentCopy(messageId)), reader.getFailed(messageId)]);
      // Twilio calls again when an answer was lost: the first report's record stands.
      if (earlier?.state === 'undelivered') return earlier;
      if (copy === null) return undefined;
      const message = readStored(channelMessageSchema, messageId, copy, onUnreadable);
      if (!message) return undefined;
      const record = undeliveredRecord(message, report);
      await redis
        .multi()
        .set(keys.failed(messageId), JSON.stringify(record), 'PX', options.failedRecordTtlMs)
        .zadd(keys.failedIndex, Date.parse(record.at), messageId)
        .exec()
        .then(checkExec);
      return record;
    },

    async peekClaim(messageId: string): Promise<ClaimState | undefined> {
      const value = await redis.get(keys.claim(messageId));
      return value === null ? undefined : claimState(value);
    },
  };
}
