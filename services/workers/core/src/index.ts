export * from './domain/ports';
export { DEFAULT_RETRY_POLICY, backoffCeiling, checkRetryPolicy, longestSchedule, retryDelay, type RetryPolicy } from './domain/backoff';
export { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from './domain/circuit-breaker';
export { ThrottledError, asProviderError } from './domain/errors';
export { createFailoverSender, type FailoverSender } from './domain/failover';
export { deliveryStatus } from './domain/records';
export { DelayQueue, type DelayedItem, type Delays } from './data-access/delay-queue';
export { MemoryDelayQueue, MemoryRateLimiter } from './data-access/memory';
export { workerKeys, type WorkerKeys } from './data-access/keys';
// The ledger types this package's API speaks in (RunningChannelWorker.ledger, the SMS callbacks).
export type { DeliveryLedger, FailedRecord, UndeliveredReport } from '@gateway/delivery-ledger';
export { RedisRateLimiter, rateLimited, type RateLimit, type RateLimiter } from './data-access/rate-limiter';
export { RetryMover } from './entry-points/retry-mover';
export type { Outcome } from './app/deliver';
export { channelSettingNames, SettingsProblems, loadWorkerSettings, workerChannelSettingsSchema, workerCommonSettingsSchema, type WorkerSettings } from './settings';
export { redisWorkerStores, startChannelWorker, workerLedgerOptions, type ChannelWorkerOptions, type RunningChannelWorker, type WorkerCounters, type WorkerStores } from './worker';
