import type { Redis } from 'ioredis';
import { failedKeys, FailedRecordStore, MemoryFailedRecords, type FailedRecordReader, type OnUnreadable } from '@gateway/worker-core';
import { createMemoryDirectoryStore, createRedisDirectoryStore, type DirectoryStore } from '@gateway/directory';
import { createMemoryAuditStore, createRedisAuditStore, type AuditStore } from './audit-store';
import { createMemoryNotificationStore } from './memory-notification-store';
import { createRedisNotificationStore, type NotificationStore } from './notification-store';
import { createMemoryResendJobStore, createRedisResendJobStore, type ResendJobStore } from './resend-job-store';
import { createMemoryResendStore, createRedisResendStore, type ResendStore } from './resend-store';

/** Everything the operator service keeps; one Redis-backed set and one in-memory set (embedded mode, tests). */
export interface OperatorStores {
  notifications: NotificationStore;
  resends: ResendStore;
  jobs: ResendJobStore;
  audit: AuditStore;
  /** The channel workers' failed records: the full message an operator resends. */
  failed: Pick<FailedRecordReader, 'get'>;
  /** The renderer's directory, for "also correct the person in the directory". Absent: that option is refused. */
  directory?: DirectoryStore;
}

/**
 * The stores on the Redis the other services use, with the same key prefix: failed records are
 * the workers' keys and the directory the renderer's (`<prefix>dir:`).
 */
export function createRedisOperatorStores(redis: Redis, prefix: string, options: { retentionMs?: number; onUnreadableFailed?: OnUnreadable } = {}): OperatorStores {
  return {
    notifications: createRedisNotificationStore(redis, { prefix, ...(options.retentionMs ? { retentionMs: options.retentionMs } : {}) }),
    resends: createRedisResendStore(redis, prefix),
    jobs: createRedisResendJobStore(redis, prefix),
    audit: createRedisAuditStore(redis, prefix),
    // Read only here (the workers write them), so the time to keep them is not this store's to set.
    failed: new FailedRecordStore(redis, failedKeys(prefix), { ttlMs: 0, ...(options.onUnreadableFailed ? { onUnreadable: options.onUnreadableFailed } : {}) }),
    directory: createRedisDirectoryStore(redis, { prefix: `${prefix}dir:` }),
  };
}

export type MemoryOperatorStores = OperatorStores & { failed: MemoryFailedRecords; directory: DirectoryStore };

/** In-process stores; pass `directory` (and fill `failed`) to share them with embedded renderer and workers. */
export function createMemoryOperatorStores(options: { directory?: DirectoryStore; failed?: MemoryFailedRecords; now?: () => number } = {}): MemoryOperatorStores {
  const clock = options.now ? { now: options.now } : {};
  return {
    notifications: createMemoryNotificationStore(),
    resends: createMemoryResendStore(clock),
    jobs: createMemoryResendJobStore(clock),
    audit: createMemoryAuditStore(clock),
    failed: options.failed ?? new MemoryFailedRecords(),
    directory: options.directory ?? createMemoryDirectoryStore(),
  };
}
