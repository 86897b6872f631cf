import { z } from 'zod';
import { consumerGroupId, legacyGroupId, infrastructureSettings, parseSettings, setting } from '@gateway/common';

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
  SHUTDOWN_TIMEOUT_MS: setting.positiveInt(10000),
  LOG_LEVEL: setting.logLevel(),
}).transform((s) => ({ ...s, STATUS_GROUP_ID: consumerGroupId(s, s.STATUS_GROUP_ID, 'gateway-status-projection'), legacyGroupId: legacyGroupId(s, s.STATUS_GROUP_ID, 'gateway-status-projection') }));

export type OperatorSettings = z.output<typeof operatorSettingsSchema>;

export function loadOperatorSettings(env: Record<string, string | undefined>): OperatorSettings {
  return parseSettings('operator', operatorSettingsSchema, env);
}
