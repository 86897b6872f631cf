import { MemoryKv } from '@gateway/common';
import { failedRecordSchema, type ChannelMessage, type FailedRecord } from '@gateway/contracts';
import type { ClaimResult, ClaimState, DeliveryLedger, FailedRecordReader, OnUnreadable, SentMark, SharedLedger, UndeliveredReport, WorkerLedgerOptions } from './port';
import { checkClaimOptions, claimState, finalClaimOf, pollClaim, readStored, SENDING, sentValue, tokens, undeliveredRecord } from './records';

// The embedded mode's ledger: the same rules as the Redis one (and the same conformance suite), in
// this process's memory. One process is the only replica there, so "atomic" is "synchronous".

export interface MemoryLedgerOptions {
  /** How many failed records (and, apart, kept copies) are kept; the oldest go first. */
  maxRecords?: number;
  now?: () => number;
  onUnreadable?: OnUnreadable;
  /** The records' JSON by message id (tests write into it what Redis could hold). */
  stored?: Map<string, string>;
}

/**
 * One process's ledger. Every worker of the process takes its port with `forWorker` (its own owner
 * and lease) on this one state; the operator reads it as it is. Failed records are kept as the
 * JSON Redis would hold, so every read parses them as the Redis adapter does.
 */
export function createMemoryLedger(options: MemoryLedgerOptions = {}): SharedLedger {
  const claims = new MemoryKv();
  const records = options.stored ?? new Map<string, string>();
  const sentCopies = new Map<string, { message: ChannelMessage; until: number }>();
  const max = options.maxRecords ?? 100_000;
  const now = (): number => (options.now ?? Date.now)();

  const reader: FailedRecordReader = {
    async getFailed(messageId) {
      const raw = records.get(messageId);
      return raw === undefined ? undefined : readStored(failedRecordSchema, messageId, raw, options.onUnreadable);
    },
    async listFailed(list = {}) {
      const found = [...records].flatMap(([id, raw]) => {
        const record = readStored(failedRecordSchema, id, raw, options.onUnreadable);
        return record ? [record] : [];
      });
      return found.sort((a, b) => Date.parse(b.at) - Date.parse(a.at)).slice(0, list.limit ?? 100);
    },
  };

  const keep = (record: FailedRecord): void => {
    records.delete(record.messageId);
    records.set(record.messageId, JSON.stringify(record));
    for (const id of records.keys()) {
      if (records.size <= max) break;
      records.delete(id);
    }
  };

  const forWorker = (worker: WorkerLedgerOptions): DeliveryLedger => {
    checkClaimOptions(worker, 'MemoryLedger');
    const nextToken = tokens(worker.owner);
    return {
      ...reader,

      async claim(messageId: string, signal?: { aborted: boolean }): Promise<ClaimResult> {
        const token = nextToken();
        return pollClaim(token, worker, signal, async () => (claims.setIfAbsent(messageId, `${SENDING}${token}`, worker.leaseMs) ? null : (claims.get(messageId) ?? '')));
      },

      async release(messageId: string, token: string): Promise<void> {
        if (claims.get(messageId) === `${SENDING}${token}`) claims.delete(messageId);
      },

      async markSent(messageId: string, sent: SentMark): Promise<void> {
        claims.set(messageId, sentValue(sent), worker.doneTtlMs);
      },

      async recordFailure(record: FailedRecord): Promise<void> {
        claims.set(record.messageId, JSON.stringify(finalClaimOf(record, 'MemoryLedger')), worker.doneTtlMs);
        keep(record);
      },

      async keepSentCopy(message: ChannelMessage, ttlMs: number): Promise<void> {
        const at = now();
        sentCopies.delete(message.id);
        sentCopies.set(message.id, { message, until: at + ttlMs });
        // Oldest first: drop the expired ones and, past the bound, the oldest.
        for (const [id, copy] of sentCopies) {
          if (copy.until > at && sentCopies.size <= max) break;
          sentCopies.delete(id);
        }
      },

      async recordUndelivered(messageId: string, report: UndeliveredReport): Promise<FailedRecord | undefined> {
        const earlier = await reader.getFailed(messageId);
        if (earlier?.state === 'undelivered') return earlier;
        const copy = sentCopies.get(messageId);
        if (!copy || copy.until <= now()) return undefined;
        const record = undeliveredRecord(copy.message, report);
        keep(record);
        return record;
      },

      async peekClaim(messageId: string): Promise<ClaimState | undefined> {
        const value = claims.get(messageId);
        return value === undefined ? undefined : claimState(value);
      },
    };
  };

  return { ...reader, forWorker };
}
