import type { Redis } from 'ioredis';
import { createMemoryLedger, createRedisLedger, type FailedRecordReader, type OnUnreadable, type SharedLedger } from '@gateway/delivery-ledger';
import { createMemoryAnswerStore, createMemoryLinkStore, createRedisAttendanceStores, type AttendanceLinkStore, type AttendanceStores } from '@gateway/attendance';
import { createMemoryDirectoryStore, createRedisDirectoryStore, type DirectoryStore } from '@gateway/directory';
import { createMemoryCallbackStore, createRedisCallbackStore, type CallbackStore } from './callback-store';
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
  /** The status callbacks' message origins and dead-lettered batches. */
  callbacks: CallbackStore;
  /** The channel workers' failed records (the delivery ledger): the full message an operator resends. */
  failed: Pick<FailedRecordReader, 'getFailed'>;
  /** The renderer's directory, for "also correct the person in the directory". Absent: that option is refused. */
  directory?: DirectoryStore;
  /** The renderer's personal links and meeting summaries (read), and the answers the attendance projection keeps. */
  attendance: AttendanceStores;
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
    callbacks: createRedisCallbackStore(redis, prefix, { originTtlMs: options.retentionMs ?? 90 * 24 * 3600_000 }),
    // Read only here (the workers write them through their own port on the ledger).
    failed: createRedisLedger(redis, { prefix, ...(options.onUnreadableFailed ? { onUnreadable: options.onUnreadableFailed } : {}) }),
    directory: createRedisDirectoryStore(redis, { prefix: `${prefix}dir:` }),
    attendance: createRedisAttendanceStores(redis, { prefix }),
  };
}

export type MemoryOperatorStores = OperatorStores & { failed: SharedLedger; directory: DirectoryStore };

/** In-process stores; pass `directory` (and fill `failed`) to share them with embedded renderer and workers. */
export function createMemoryOperatorStores(options: { directory?: DirectoryStore; failed?: SharedLedger; attendanceLinks?: AttendanceLinkStore; now?: () => number } = {}): MemoryOperatorStores {
  const clock = options.now ? { now: options.now } : {};
  return {
    notifications: createMemoryNotificationStore(),
    resends: createMemoryResendStore(clock),
    jobs: createMemoryResendJobStore(clock),
    audit: createMemoryAuditStore(clock),
    callbacks: createMemoryCallbackStore(),
    failed: options.failed ?? createMemoryLedger(),
    directory: options.directory ?? createMemoryDirectoryStore(),
    attendance: { links: options.attendanceLinks ?? createMemoryLinkStore(), answers: createMemoryAnswerStore() },
  };
}
