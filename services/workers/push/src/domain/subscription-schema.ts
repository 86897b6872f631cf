import { createECDH } from 'node:crypto';
import { z } from 'zod';
import { idSchema } from '@gateway/contracts';

/** Push services browsers use today; an endpoint elsewhere is refused (see endpointHostAllowed). */
export const DEFAULT_PUSH_ENDPOINT_HOSTS: readonly string[] = [
  'fcm.googleapis.com', // Chrome, Edge on Android, Opera, Samsung Internet
  'push.services.mozilla.com', // Firefox
  'push.apple.com', // Safari
  'notify.windows.com', // Edge on Windows
];

/**
 * The gateway POSTs to every registered endpoint, so an endpoint is a URL the registering app
 * makes our server call: without this check a key holder could aim it at internal services.
 * A host matches an entry equal to it or a parent domain of it.
 */
export function endpointHostAllowed(endpoint: string, allowedHosts: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  const host = url.hostname.toLowerCase();
  return allowedHosts.some((allowed) => {
    const entry = allowed.toLowerCase();
    return host === entry || host.endsWith(`.${entry}`);
  });
}

const probe = createECDH('prime256v1');
probe.generateKeys();

/** On the curve, not just the right length: web-push would fail on it at every send. */
function isP256Point(key: Buffer): boolean {
  if (key[0] !== 0x04) return false;
  try {
    probe.computeSecret(key);
    return true;
  } catch {
    return false;
  }
}

function base64urlKey(bytes: number, what: string, check?: (key: Buffer) => boolean) {
  return z
    .string()
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, { error: `must be base64url, as PushSubscription.toJSON() gives it` })
    .refine((value) => {
      const key = Buffer.from(value, 'base64url');
      return key.length === bytes && (check?.(key) ?? true);
    }, { error: what });
}

export function subscriptionBodySchema(allowedHosts: readonly string[]) {
  return z.object({
    userId: idSchema,
    endpoint: z
      .url({ protocol: /^https$/, error: 'must be the https URL of a browser push service' })
      .max(2048)
      .refine((endpoint) => endpointHostAllowed(endpoint, allowedHosts), { error: 'is not on a known browser push service' }),
    expirationTime: z.number().int().nonnegative().nullable().optional(),
    keys: z.object({
        p256dh: base64urlKey(65, 'must be an uncompressed P-256 public key (65 bytes)', isP256Point),
      auth: base64urlKey(16, 'must be a 16-byte authentication secret'),
    }),
  });
}

export const unsubscribeBodySchema = z.object({
  userId: idSchema,
  endpoint: z.string().min(1).max(2048),
});
