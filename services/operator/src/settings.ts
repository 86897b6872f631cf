import { z } from 'zod';
import type { Topics } from '@gateway/contracts';
import { attendanceEnvSettings, attendanceLinkSettings, type AttendanceLinkSettings } from '@gateway/attendance';
import type { CallbackDispatchOptions } from './app/callback-dispatcher';
import { consumerGroupSettings, infrastructureSettings, kafkaSettings, parseSettings, redisSettings, setting, topicSettings, type ConsumerGroupSettings, type KafkaServiceSettings, type RedisSettings } from '@gateway/common';

const operatorSettingsSchema = z.object({
  OPERATOR_HOST: z.string().default('127.0.0.1'),
  OPERATOR_PORT: setting.port(8082),
  ...infrastructureSettings(),
  KAFKA_CLIENT_ID: z.string().default('gateway-operator'),
  /** Default: gateway-status-projection after the group prefix (consumerGroupId). */
  STATUS_GROUP_ID: z.string().min(1).optional(),
  GATEWAY_KEYS_FILE: z.string({ message: 'required: path to the API keys JSON file' }).min(1),
  STATUS_RETENTION_DAYS: setting.positiveInt(90),
  /** Without a requestId, the same resend (same message, same corrections) within this window is one resend. */
  RESEND_DEDUP_WINDOW_MS: setting.positiveInt(10 * 60_000),
  /** How long a resend's requestId is remembered. */
  RESEND_REQUEST_TTL_MS: setting.positiveInt(7 * 24 * 3600_000),
  /** How long a resend stored but not yet published counts as on its way (past it, the process that stored it died before publishing). */
  RESEND_IN_FLIGHT_MS: setting.positiveInt(5 * 60_000),
  RESEND_JOB_BATCH: setting.positiveInt(25),
  RESEND_JOB_MAX_ITEMS: setting.positiveInt(100_000),
  /** Default: gateway-attendance-projection after the group prefix (consumerGroupId). */
  ATTENDANCE_GROUP_ID: z.string().min(1).optional(),
  ...attendanceEnvSettings(),
  /** Status callbacks to the sending systems (docs/adr/0014-status-callbacks.md). */
  CALLBACKS_ENABLED: setting.bool(true),
  /** Default: gateway-status-callbacks after the group prefix. */
  CALLBACKS_GROUP_ID: z.string().min(1).optional(),
  CALLBACK_BATCH_MAX: setting.positiveInt(100),
  CALLBACK_BATCH_WAIT_MS: setting.positiveInt(250),
  CALLBACK_CONCURRENCY: setting.positiveInt(2),
  CALLBACK_TIMEOUT_MS: setting.positiveInt(5000),
  CALLBACK_MAX_ATTEMPTS: setting.positiveInt(6),
  CALLBACK_BACKOFF_MS: setting.positiveInt(1000),
  CALLBACK_BACKOFF_MAX_MS: setting.positiveInt(60_000),
  /** Plain http callback URLs; for loopback receivers in tests, never in production. */
  CALLBACK_ALLOW_HTTP: setting.bool(false),
  SHUTDOWN_TIMEOUT_MS: setting.positiveInt(10000),
  LOG_LEVEL: setting.logLevel(),
});

export interface OperatorSettings {
  http: { host: string; port: number };
  kafka: KafkaServiceSettings & ConsumerGroupSettings;
  redis: RedisSettings;
  topics: Topics;
  keysFile: string;
  statusRetentionMs: number;
  /** As ResendService takes them: the dedup window without a requestId, a requestId's memory, a resend on its way. */
  resend: { autoWindowMs: number; requestWindowMs: number; inFlightMs: number };
  resendJobs: { batchSize: number; maxItems: number };
  /** The attendance projection's consumer group. */
  attendanceGroupId: string;
  /** The recipients' attendance page (`/x/<code>`); absent without ATTENDANCE_LINK_SECRET (the page is then not served). */
  attendance: AttendanceLinkSettings | undefined;
  callbacks: { enabled: boolean; groupId: string; dispatch: CallbackDispatchOptions };
  shutdownTimeoutMs: number;
  logLevel: string;
}

export function loadOperatorSettings(env: Record<string, string | undefined>): OperatorSettings {
  const s = parseSettings('operator', operatorSettingsSchema, env);
  return {
    http: { host: s.OPERATOR_HOST, port: s.OPERATOR_PORT },
    kafka: { ...kafkaSettings(s, s.KAFKA_CLIENT_ID), ...consumerGroupSettings(s, s.STATUS_GROUP_ID, 'gateway-status-projection') },
    redis: redisSettings(s),
    topics: topicSettings(s),
    keysFile: s.GATEWAY_KEYS_FILE,
    statusRetentionMs: s.STATUS_RETENTION_DAYS * 24 * 3600 * 1000,
    resend: { autoWindowMs: s.RESEND_DEDUP_WINDOW_MS, requestWindowMs: s.RESEND_REQUEST_TTL_MS, inFlightMs: s.RESEND_IN_FLIGHT_MS },
    resendJobs: { batchSize: s.RESEND_JOB_BATCH, maxItems: s.RESEND_JOB_MAX_ITEMS },
    attendanceGroupId: consumerGroupSettings(s, s.ATTENDANCE_GROUP_ID, 'gateway-attendance-projection').groupId,
    attendance: attendanceLinkSettings(s),
    callbacks: {
      enabled: s.CALLBACKS_ENABLED,
      groupId: consumerGroupSettings(s, s.CALLBACKS_GROUP_ID, 'gateway-status-callbacks').groupId,
      dispatch: {
        batchMax: s.CALLBACK_BATCH_MAX,
        lingerMs: s.CALLBACK_BATCH_WAIT_MS,
        concurrency: s.CALLBACK_CONCURRENCY,
        timeoutMs: s.CALLBACK_TIMEOUT_MS,
        maxAttempts: s.CALLBACK_MAX_ATTEMPTS,
        backoff: { baseMs: s.CALLBACK_BACKOFF_MS, maxMs: s.CALLBACK_BACKOFF_MAX_MS },
        allowHttp: s.CALLBACK_ALLOW_HTTP,
      },
    },
    shutdownTimeoutMs: s.SHUTDOWN_TIMEOUT_MS,
    logLevel: s.LOG_LEVEL,
  };
}
