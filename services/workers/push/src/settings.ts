import { z } from 'zod';
import { parseSettings, setting } from '@gateway/common';
import { loadWorkerSettings, SettingsProblems, type WorkerSettings } from '@gateway/worker-core';
import { DEFAULT_PUSH_ENDPOINT_HOSTS } from './domain/subscription-schema';
import { MAX_PUSH_PAYLOAD_BYTES } from './adapters/web-push-sender';

const base64urlKey = (bytes: number, what: string) =>
  z
    .string({ message: `required: ${what} (generate a pair with \`npx web-push generate-vapid-keys\`)` })
    .trim()
    .refine((v) => /^[A-Za-z0-9_-]+$/.test(v) && Buffer.from(v, 'base64url').length === bytes, { message: `must be the base64url ${what}` });

/**
 * Environment-style settings of the web push and in-app inbox adapters, for the push worker's
 * composition root (parse with `parseSettings('push-worker', pushSettingsSchema, env)`; parses to
 * PushSettings). Redis connection and key prefix are the service's own (REDIS_URL, REDIS_KEY_PREFIX).
 */
export const pushSettingsSchema = z.object({
  WEB_PUSH_VAPID_SUBJECT: z
    .string({ message: 'required: a mailto: or https: contact for push services, e.g. mailto:quantri@danang.gov.vn' })
    .regex(/^(mailto:\S+@\S+|https:\/\/\S+)$/, 'must be a mailto: or https: URL'),
  WEB_PUSH_VAPID_PUBLIC_KEY: base64urlKey(65, 'VAPID public key'),
  WEB_PUSH_VAPID_PRIVATE_KEY: base64urlKey(32, 'VAPID private key'),
  WEB_PUSH_TTL_SECONDS: z.coerce.number().int().min(0).max(28 * 24 * 3600).default(24 * 3600),
  WEB_PUSH_TIMEOUT_MS: setting.positiveInt(10_000),
  WEB_PUSH_MAX_PAYLOAD_BYTES: z.coerce.number().int().min(256).max(MAX_PUSH_PAYLOAD_BYTES).default(MAX_PUSH_PAYLOAD_BYTES),
  /** Comma-separated push service hosts (a host or any subdomain of it) an endpoint may point at. */
  WEB_PUSH_ENDPOINT_HOSTS: z
    .string()
    .default(DEFAULT_PUSH_ENDPOINT_HOSTS.join(','))
    .transform((s) => s.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[a-z0-9.-]+$/, 'each entry must be a host name')).min(1, 'at least one host')),
  WEB_PUSH_MAX_SUBSCRIPTIONS_PER_USER: setting.positiveInt(10),
  INBOX_MAX_ITEMS_PER_USER: setting.positiveInt(1000),
  INBOX_RETENTION_DAYS: setting.positiveInt(180),
  INBOX_SSE_HEARTBEAT_MS: setting.positiveInt(15_000),
}).transform((s): PushSettings => ({
  webPush: {
    vapid: { subject: s.WEB_PUSH_VAPID_SUBJECT, publicKey: s.WEB_PUSH_VAPID_PUBLIC_KEY, privateKey: s.WEB_PUSH_VAPID_PRIVATE_KEY },
    ttlSeconds: s.WEB_PUSH_TTL_SECONDS,
    timeoutMs: s.WEB_PUSH_TIMEOUT_MS,
    maxPayloadBytes: s.WEB_PUSH_MAX_PAYLOAD_BYTES,
    endpointHosts: s.WEB_PUSH_ENDPOINT_HOSTS,
    maxSubscriptionsPerUser: s.WEB_PUSH_MAX_SUBSCRIPTIONS_PER_USER,
  },
  inbox: { maxItemsPerUser: s.INBOX_MAX_ITEMS_PER_USER, retentionDays: s.INBOX_RETENTION_DAYS, sseHeartbeatMs: s.INBOX_SSE_HEARTBEAT_MS },
}));

export interface PushSettings {
  webPush: {
    vapid: { subject: string; publicKey: string; privateKey: string };
    ttlSeconds: number;
    timeoutMs: number;
    maxPayloadBytes: number;
    /** Push service hosts (a host or any subdomain of it) an endpoint may point at. */
    endpointHosts: string[];
    maxSubscriptionsPerUser: number;
  };
  inbox: { maxItemsPerUser: number; retentionDays: number; sseHeartbeatMs: number };
}

const httpSettingsSchema = z.object({
  PUSH_HOST: z.string().default('127.0.0.1'),
  PUSH_PORT: setting.port(8083),
  GATEWAY_KEYS_FILE: z.string({ message: 'required: path to the API keys JSON file' }).min(1),
});

/** The web push and in-app channel workers, their adapters and the HTTP API the agency web app uses. */
export interface PushWorkerSettings extends PushSettings {
  push: WorkerSettings;
  inapp: WorkerSettings;
  http: { host: string; port: number };
  keysFile: string;
}

export function loadPushWorkerSettings(env: Record<string, string | undefined>): PushWorkerSettings {
  const problems = new SettingsProblems('worker-push');
  const push = problems.take(() => loadWorkerSettings('push', env));
  const inapp = problems.take(() => loadWorkerSettings('inapp', env, 'worker-inapp'));
  const web = problems.take(() => parseSettings('worker-push', pushSettingsSchema, env));
  const http = problems.take(() => parseSettings('worker-push', httpSettingsSchema, env));
  problems.check();
  const h = http as z.output<typeof httpSettingsSchema>;
  return { push: push as WorkerSettings, inapp: inapp as WorkerSettings, ...(web as PushSettings), http: { host: h.PUSH_HOST, port: h.PUSH_PORT }, keysFile: h.GATEWAY_KEYS_FILE };
}
