import { z } from 'zod';
import type { Channel } from '@gateway/contracts';
import { ConfigError, consumerGroupSettings, infrastructureSettings, kafkaSettings, parseSettings, redisSettings, setting, type ConsumerGroupSettings, type KafkaServiceSettings, type RedisSettings } from '@gateway/common';
import { checkRetryPolicy, DEFAULT_RETRY_POLICY, type RetryPolicy } from './domain/backoff';
import type { RateLimit } from './data-access/rate-limiter';

/** Everything the core of a channel worker needs, already validated; built from env by `loadWorkerSettings`. */
export interface WorkerSettings {
  channel: Channel;
  /** Appears in dead letters and logs: "worker-sms". */
  service: string;
  logLevel: string;
  kafka: KafkaServiceSettings & ConsumerGroupSettings & { sessionTimeoutMs: number; heartbeatIntervalMs: number };
  redis: RedisSettings;
  /** Messages of one batch in flight at once. */
  concurrency: number;
  /** Partitions whose batches are processed at the same time. */
  partitionsConcurrently: number;
  claim: { leaseMs: number; waitMs: number; doneTtlMs: number };
  sendTimeoutMs: number;
  retry: RetryPolicy;
  /** For the whole channel; undefined: none (providers may still have their own). */
  rateLimit?: RateLimit;
  rateLimitMaxWaitMs: number;
  mover: { pollMs: number; leaseMs: number; batchSize: number };
  failedRecordTtlMs: number;
  shutdownTimeoutMs: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The env names of the settings that exist once per channel (`SMS_RETRY_MAX_ATTEMPTS`, …). */
export function channelSettingNames(channel: Channel) {
  const c = channel.toUpperCase();
  return {
    groupId: `${c}_WORKER_GROUP_ID`,
    maxAttempts: `${c}_RETRY_MAX_ATTEMPTS`,
    baseMs: `${c}_RETRY_BASE_MS`,
    capMs: `${c}_RETRY_CAP_MS`,
    ratePerSecond: `${c}_RATE_LIMIT_PER_SECOND`,
    rateBurst: `${c}_RATE_LIMIT_BURST`,
  } as const;
}

/** The channel-independent part of a worker's env; every name and default is listed in the workers README. */
export const workerCommonSettingsSchema = z.object({
  ...infrastructureSettings(),
  /** Default: gateway-worker-<channel>. */
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
  KAFKA_SESSION_TIMEOUT_MS: setting.positiveInt(30_000),
  KAFKA_HEARTBEAT_INTERVAL_MS: setting.positiveInt(3_000),
  // kafkajs fetches again only when every batch of the last fetch is done (one fetcher per
  // broker), so a batch left waiting for a slot holds up the next fetch. Every partition of the
  // channel topic's default 12 at once, 16 messages each: a shorter tail than 3 × 32 at the same
  // burst throughput (docs/benchmarks.md, "What changed CPU per message", change 7;
  // services/workers/README.md has the trade-off).
  WORKER_CONCURRENCY: setting.positiveInt(16),
  WORKER_PARTITIONS_CONCURRENTLY: setting.positiveInt(12),
  CLAIM_LEASE_MS: setting.positiveInt(60_000),
  /** Default: CLAIM_LEASE_MS + 5 s. */
  CLAIM_WAIT_MS: z.coerce.number().int().min(0).optional(),
  CLAIM_DONE_TTL_MS: setting.positiveInt(7 * DAY_MS),
  SEND_TIMEOUT_MS: setting.positiveInt(30_000),
  RATE_LIMIT_MAX_WAIT_MS: z.coerce.number().int().min(0).default(10_000),
  RETRY_MOVER_POLL_MS: setting.positiveInt(1_000),
  RETRY_MOVER_LEASE_MS: setting.positiveInt(30_000),
  RETRY_MOVER_BATCH: setting.positiveInt(500),
  FAILED_RECORD_TTL_DAYS: setting.positiveInt(30),
  SHUTDOWN_TIMEOUT_MS: setting.positiveInt(15_000),
  LOG_LEVEL: setting.logLevel(),
});

/** The per-channel part (`SMS_RETRY_MAX_ATTEMPTS`, …), so several workers can share one environment. */
export function workerChannelSettingsSchema(channel: Channel): z.ZodType<Record<string, string | number>> {
  const n = channelSettingNames(channel);
  return z.object({
    // Default: gateway-worker-<channel> after the group prefix (consumerGroupId).
    [n.groupId]: z.string().min(1).optional(),
    [n.maxAttempts]: setting.positiveInt(DEFAULT_RETRY_POLICY.maxAttempts),
    [n.baseMs]: z.coerce.number().int().min(0).default(DEFAULT_RETRY_POLICY.baseMs),
    [n.capMs]: setting.positiveInt(DEFAULT_RETRY_POLICY.capMs),
    [n.ratePerSecond]: z.coerce.number().min(0).default(0),
    [n.rateBurst]: setting.positiveInt(1),
  }) as z.ZodType<Record<string, string | number>>;
}

/** Validates a channel worker's core settings from env-style input; throws ConfigError naming every bad setting. */
export function loadWorkerSettings(channel: Channel, env: Record<string, string | undefined>, service = `worker-${channel}`): WorkerSettings {
  const problems = new SettingsProblems(service);
  const common = problems.take(() => parseSettings(service, workerCommonSettingsSchema, env));
  const c = problems.take(() => parseSettings(service, workerChannelSettingsSchema(channel), env));
  problems.check();
  const s = common as z.output<typeof workerCommonSettingsSchema>;
  const n = channelSettingNames(channel);
  const num = (name: string) => Number((c as Record<string, string | number>)[name]);
  if (s.CLAIM_LEASE_MS < s.SEND_TIMEOUT_MS + 5_000) problems.add(`CLAIM_LEASE_MS: must be at least SEND_TIMEOUT_MS + 5000 (${s.SEND_TIMEOUT_MS + 5_000}): a claim must outlive the send it protects (got ${s.CLAIM_LEASE_MS})`);
  if (s.RATE_LIMIT_MAX_WAIT_MS >= s.SEND_TIMEOUT_MS) problems.add(`RATE_LIMIT_MAX_WAIT_MS: must be below SEND_TIMEOUT_MS (${s.SEND_TIMEOUT_MS}): the wait for a rate-limit turn counts in the send time (got ${s.RATE_LIMIT_MAX_WAIT_MS})`);
  if (num(n.capMs) < num(n.baseMs)) problems.add(`${n.capMs}: must be at least ${n.baseMs} (${num(n.baseMs)}) (got ${num(n.capMs)})`);
  problems.check();
  const perSecond = num(n.ratePerSecond);
  return {
    channel,
    service,
    logLevel: s.LOG_LEVEL,
    kafka: {
      ...kafkaSettings(s, s.KAFKA_CLIENT_ID ?? `gateway-worker-${channel}`),
      ...consumerGroupSettings(s, (c as Record<string, string | undefined>)[n.groupId], `gateway-worker-${channel}`),
      sessionTimeoutMs: s.KAFKA_SESSION_TIMEOUT_MS,
      heartbeatIntervalMs: s.KAFKA_HEARTBEAT_INTERVAL_MS,
    },
    redis: redisSettings(s),
    concurrency: s.WORKER_CONCURRENCY,
    partitionsConcurrently: s.WORKER_PARTITIONS_CONCURRENTLY,
    claim: { leaseMs: s.CLAIM_LEASE_MS, waitMs: s.CLAIM_WAIT_MS ?? s.CLAIM_LEASE_MS + 5_000, doneTtlMs: s.CLAIM_DONE_TTL_MS },
    sendTimeoutMs: s.SEND_TIMEOUT_MS,
    retry: checkRetryPolicy({ maxAttempts: num(n.maxAttempts), baseMs: num(n.baseMs), capMs: num(n.capMs) }),
    rateLimit: perSecond > 0 ? { perSecond, burst: num(n.rateBurst), maxWaitMs: s.RATE_LIMIT_MAX_WAIT_MS } : undefined,
    rateLimitMaxWaitMs: s.RATE_LIMIT_MAX_WAIT_MS,
    mover: { pollMs: s.RETRY_MOVER_POLL_MS, leaseMs: s.RETRY_MOVER_LEASE_MS, batchSize: s.RETRY_MOVER_BATCH },
    failedRecordTtlMs: s.FAILED_RECORD_TTL_DAYS * DAY_MS,
    shutdownTimeoutMs: s.SHUTDOWN_TIMEOUT_MS,
  };
}

/**
 * Collects the problems of several settings loaders, so a worker with core and provider settings
 * still names every bad setting in one ConfigError.
 */
export class SettingsProblems {
  private readonly problems: string[] = [];

  constructor(readonly service: string) {}

  /** Runs a loader; a ConfigError's problems are kept and undefined returned. */
  take<T>(load: () => T): T | undefined {
    try {
      return load();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      this.problems.push(...err.problems);
      return undefined;
    }
  }

  add(problem: string): void {
    this.problems.push(problem);
  }

  /** Throws one ConfigError with everything collected, if anything was. */
  check(): void {
    if (this.problems.length > 0) throw new ConfigError(this.service, [...this.problems]);
  }
}
