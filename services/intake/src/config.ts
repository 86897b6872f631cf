import { z } from 'zod';
import { TOPICS, withPrefix } from '@gateway/contracts';
import { infrastructureSettings, parseSettings, setting } from '@gateway/common';

const intakeSettingsSchema = z.object({
  INTAKE_HOST: z.string().default('127.0.0.1'),
  INTAKE_PORT: setting.port(8080),
  /** Processes sharing the port (node:cluster); each has its own producer and Redis connection. */
  INTAKE_WORKERS: setting.positiveInt(1),
  ...infrastructureSettings(),
  KAFKA_CLIENT_ID: z.string().default('gateway-intake'),
  GATEWAY_KEYS_FILE: z.string({ message: 'required: path to the API keys JSON file (create one with `npm run keys -- create`)' }).min(1),
  /** Overrides the events topic name; by default it follows TOPIC_PREFIX. */
  EVENTS_TOPIC: z.string().min(1).optional(),
  INTAKE_BODY_LIMIT_BYTES: setting.positiveInt(1024 * 1024),
  INTAKE_PUBLISH_TIMEOUT_MS: setting.positiveInt(5000),
  IDEMPOTENCY_TTL_SECONDS: setting.positiveInt(24 * 3600),
  INTAKE_MAX_BATCH: setting.positiveInt(500),
  SHUTDOWN_TIMEOUT_MS: setting.positiveInt(10000),
  LOG_LEVEL: setting.logLevel(),
});

export type IntakeSettings = Omit<z.output<typeof intakeSettingsSchema>, 'EVENTS_TOPIC'> & { EVENTS_TOPIC: string };

export function loadIntakeSettings(env: Record<string, string | undefined>): IntakeSettings {
  const s = parseSettings('intake', intakeSettingsSchema, env);
  return { ...s, EVENTS_TOPIC: s.EVENTS_TOPIC ?? (s.TOPIC_PREFIX ? withPrefix(s.TOPIC_PREFIX).events : TOPICS.events) };
}
