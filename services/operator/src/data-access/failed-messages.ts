import type { Redis } from 'ioredis';
import type { FailedRecord } from '@gateway/worker-core';

/** Port: the channel workers' failed records (the full message, kept for operators to resend). */
export interface FailedMessages {
  get(messageId: string): Promise<FailedRecord | undefined>;
}

/** Reads the records the workers write under `<prefix>failed:<id>` (see workerKeys in worker-core). */
export function createRedisFailedMessages(redis: Redis, prefix: string): FailedMessages {
  return {
    async get(messageId) {
      const raw = await redis.get(`${prefix}failed:${messageId}`);
      return raw === null ? undefined : (JSON.parse(raw) as FailedRecord);
    },
  };
}

export interface MemoryFailedMessages extends FailedMessages {
  /** What an embedded worker (or a test) records. */
  put(record: FailedRecord): void;
}

export function createMemoryFailedMessages(): MemoryFailedMessages {
  const records = new Map<string, FailedRecord>();
  return {
    async get(messageId) {
      const found = records.get(messageId);
      return found ? structuredClone(found) : undefined;
    },
    put(record) {
      records.set(record.messageId, structuredClone(record));
    },
  };
}
