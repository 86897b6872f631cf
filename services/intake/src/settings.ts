import { z } from 'zod';
import type { Topics } from '@gateway/contracts';
import { infrastructureSettings, kafkaSettings, parseSettings, redisSettings, setting, topicSettings, type KafkaServiceSettings, type RedisSettings } from '@gateway/common';

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

export interface IntakeSettings {
  http: { host: string; port: number; bodyLimitBytes: number };
  /** Processes sharing the port (node:cluster); each has its own producer and Redis connection. */
  workers: number;
  kafka: KafkaServiceSettings;
  redis: RedisSettings;
  topics: Topics;
  keysFile: string;
  publish: { timeoutMs: number; maxBatch: number };
  idempotency: { ttlSeconds: number };
  shutdownTimeoutMs: number;
  logLevel: string;
}

export function loadIntakeSettings(env: Record<string, string | undefined>): IntakeSettings {
  const s = parseSettings('intake', intakeSettingsSchema, env);
  const topics = topicSettings(s);
  return {
    http: { host: s.INTAKE_HOST, port: s.INTAKE_PORT, bodyLimitBytes: s.INTAKE_BODY_LIMIT_BYTES },
    workers: s.INTAKE_WORKERS,
    kafka: kafkaSettings(s, s.KAFKA_CLIENT_ID),
    redis: redisSettings(s),
    topics: { ...topics, events: s.EVENTS_TOPIC ?? topics.events },
    keysFile: s.GATEWAY_KEYS_FILE,
    publish: { timeoutMs: s.INTAKE_PUBLISH_TIMEOUT_MS, maxBatch: s.INTAKE_MAX_BATCH },
    idempotency: { ttlSeconds: s.IDEMPOTENCY_TTL_SECONDS },
    shutdownTimeoutMs: s.SHUTDOWN_TIMEOUT_MS,
    logLevel: s.LOG_LEVEL,
  };
}
