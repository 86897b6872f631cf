export type { ClaimOptions, ClaimResult, ClaimState, DeliveryLedger, FailedRecord, FailedRecordReader, FinalClaim, OnUnreadable, SentMark, SharedLedger, UndeliveredReport, UnreadableFailedRecord, WorkerLedgerOptions } from './port';
export { ledgerKeys, type LedgerKeys } from './keys';
export { createMemoryLedger, type MemoryLedgerOptions } from './memory-ledger';
export { createRedisLedger, type RedisLedgerOptions } from './redis-ledger';
export { createMemorySubjectVersions, createRedisSubjectVersions, SUPERSEDED_REASON, supersededReason, type SubjectKey, type SubjectVersionReader, type SubjectVersions, type SubjectVersionsOptions } from './subject-versions';
