import { z } from 'zod';
import { TOPICS, withPrefix, type Topics } from '@gateway/contracts';
import { parseRedisTarget } from './redis-target';

/** Thrown by a composition root when settings are wrong; the message names every bad setting. */
export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly problems: string[],
  ) {
    super(`${service}: refusing to start, bad configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates environment-style settings once, at start. Every bad setting is reported, not just
 * the first, so an admin fixes the file in one go.
 */
export function parseSettings<S extends z.ZodType>(
  service: string,
  schema: S,
  env: Record<string, string | undefined>,
): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    // A setting is one variable even when its value is a list: name the variable, show its value.
    const name = issue.path.length > 0 ? String(issue.path[0]) : '(settings)';
    const value = issue.path.length > 0 ? env[name] : undefined;
    const shown = value === undefined ? 'not set' : `got ${JSON.stringify(redactSetting(name, value))}`;
    return `${name}: ${issue.message} (${shown})`;
  });
  throw new ConfigError(service, problems);
}

function redactSetting(name: string, value: string): string {
  if (/KEY|SECRET|PASSWORD|TOKEN|AUTH/i.test(name)) return '***';
  return maskUrlPassword(value);
}

/**
 * A URL with its password masked: everything between "//" and the last "@" but a user name
 * (`redis-sentinel://gw:***@s1:26379#m`, `redis://***@host`), however odd the password's characters.
 */
export function maskUrlPassword(value: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(.*)@/is.exec(value);
  if (!m) return value;
  const auth = m[2] as string;
  const colon = auth.indexOf(':');
  return `${m[1]}${colon >= 0 ? auth.slice(0, colon + 1) : ''}***@${value.slice(m[0].length)}`;
}

/** Common setting shapes, so every service words its rules the same way. */
export const setting = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  positiveInt: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  brokers: () =>
    z
      .string({ message: 'required: comma-separated host:port list, e.g. 127.0.0.1:9092' })
      .transform((s) => s.split(',').map((b) => b.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'each broker must be host:port')).min(1, 'at least one broker')),
  redisUrl: () =>
    z.string({ message: 'required, e.g. redis://127.0.0.1:6379' }).superRefine((url, ctx) => {
      try {
        parseRedisTarget(url);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }),
  /** Prefix for every topic name (withPrefix in the contracts); empty means the standard names. */
  topicPrefix: () => z.string().regex(/^[A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" or "-"').default(''),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

/** Kafka and Redis as every service reads them: spread into a service's settings schema. */
export function infrastructureSettings() {
  return {
    KAFKA_BROKERS: setting.brokers(),
    TOPIC_PREFIX: setting.topicPrefix(),
    /** Partitions of a topic the service creates. */
    TOPIC_PARTITIONS: setting.positiveInt(12),
    KAFKA_CREATE_TOPICS: setting.bool(true),
    REDIS_URL: setting.redisUrl(),
    REDIS_KEY_PREFIX: z.string().default('gw:'),
    /** Put before every default consumer group id; default: TOPIC_PREFIX (see consumerGroupId). */
    KAFKA_GROUP_PREFIX: z.string().regex(/^[A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" or "-"').optional(),
  };
}

/** What `infrastructureSettings()` parses to: still the environment's names. */
export type InfrastructureEnv = z.output<z.ZodObject<ReturnType<typeof infrastructureSettings>>>;

/*
 * The settings shape every service shares: `load<Service>Settings(env)` reads the environment's
 * names and returns camelCase parts; code below the composition root sees only these parts.
 */

export interface KafkaServiceSettings {
  brokers: string[];
  clientId: string;
  topicPrefix: string;
  /** Create missing topics at start, with `partitions` partitions each. */
  createTopics: boolean;
  partitions: number;
}

/** A consumer's group (consumerGroupId) and the group whose offsets it takes over once (legacyGroupId). */
export interface ConsumerGroupSettings {
  groupId: string;
  legacyGroupId?: string | undefined;
}

export interface RedisSettings {
  url: string;
  keyPrefix: string;
}

export function kafkaSettings(s: InfrastructureEnv, clientId: string): KafkaServiceSettings {
  return { brokers: s.KAFKA_BROKERS, clientId, topicPrefix: s.TOPIC_PREFIX, createTopics: s.KAFKA_CREATE_TOPICS, partitions: s.TOPIC_PARTITIONS };
}

export function consumerGroupSettings(s: InfrastructureEnv, explicit: string | undefined, standardName: string): ConsumerGroupSettings {
  return { groupId: consumerGroupId(s, explicit, standardName), legacyGroupId: legacyGroupId(s, explicit, standardName) };
}

export function redisSettings(s: InfrastructureEnv): RedisSettings {
  return { url: s.REDIS_URL, keyPrefix: s.REDIS_KEY_PREFIX };
}

/** The topic names after TOPIC_PREFIX (the standard names without one). */
export function topicSettings(s: InfrastructureEnv): Topics {
  return s.TOPIC_PREFIX ? withPrefix(s.TOPIC_PREFIX) : TOPICS;
}

/**
 * The one rule for consumer group ids: a group id set explicitly (RENDERER_GROUP_ID, ...) is used
 * as given; otherwise it is the service's standard name after the group prefix (KAFKA_GROUP_PREFIX,
 * by default TOPIC_PREFIX), so two environments told apart by their topic prefix on one cluster
 * never share a group (and never take each other's partitions). With no prefix the ids are the
 * standard names, as before; with a prefix, a deployment that ran before this rule takes over its
 * old group's offsets at its first start (legacyGroupId, adoptLegacyGroupOffsets).
 */
export function consumerGroupId(settings: { TOPIC_PREFIX: string; KAFKA_GROUP_PREFIX?: string | undefined }, explicit: string | undefined, standardName: string): string {
  if (explicit) return explicit;
  return `${settings.KAFKA_GROUP_PREFIX ?? settings.TOPIC_PREFIX}${standardName}`;
}

/**
 * The group id a consumer had before group ids took the prefix: the standard name, when the
 * prefix now changes it (undefined otherwise). Its committed offsets are taken over once at the
 * first start after the upgrade (adoptLegacyGroupOffsets).
 */
export function legacyGroupId(settings: { TOPIC_PREFIX: string; KAFKA_GROUP_PREFIX?: string | undefined }, explicit: string | undefined, standardName: string): string | undefined {
  if (explicit) return undefined;
  return consumerGroupId(settings, explicit, standardName) === standardName ? undefined : standardName;
}
