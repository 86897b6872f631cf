import { z } from 'zod';
import { setting } from '@gateway/common';
import { DEFAULT_PUSH_ENDPOINT_HOSTS } from './subscriptions/schema';
import { MAX_PUSH_PAYLOAD_BYTES } from './web-push-sender';

const base64urlKey = (bytes: number, what: string) =>
  z
    .string({ message: `required: ${what} (generate a pair with \`npx web-push generate-vapid-keys\`)` })
    .trim()
    .refine((v) => /^[A-Za-z0-9_-]+$/.test(v) && Buffer.from(v, 'base64url').length === bytes, { message: `must be the base64url ${what}` });

/**
 * Environment-style settings of the web push and in-app inbox adapters, for the push worker's
 * composition root (parse with `parseSettings('push-worker', pushSettingsSchema, env)`). Redis
 * connection and key prefix are the service's own (REDIS_URL, REDIS_KEY_PREFIX).
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
});

export type PushSettings = z.output<typeof pushSettingsSchema>;
