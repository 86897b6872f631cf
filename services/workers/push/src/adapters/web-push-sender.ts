import https from 'node:https';
import webpush, { WebPushError, type RequestOptions, type Urgency as PushUrgency } from 'web-push';
import type { PushMessage, Urgency } from '@gateway/contracts';
import type { Logger } from '@gateway/common';
import { ProviderError, type ChannelSender, type SendResult } from '@gateway/worker-core';
import type { StoredSubscription, SubscriptionStore } from '../data-access/subscription-store';

const WEB_PUSH_PROVIDER = 'web-push';

/**
 * Largest plaintext that fits one 4096-byte aes128gcm record, the size every push service must
 * accept (RFC 8291 §4): 4096 − 86 (salt, record size, key id) − 16 (tag) − 1 (padding delimiter).
 */
export const MAX_PUSH_PAYLOAD_BYTES = 3993;

export interface WebPushSenderOptions {
  store: SubscriptionStore;
  vapid: { subject: string; publicKey: string; privateKey: string };
  /** How long the push service keeps a message for an offline browser. */
  ttlSeconds: number;
  /** Socket timeout of one request to a push service. */
  timeoutMs: number;
  maxPayloadBytes?: number;
  /** HTTPS agent for the push services; by default a keep-alive agent owned (and closed) here. */
  agent?: https.Agent;
  logger?: Logger;
}

export interface WebPushSender extends ChannelSender<PushMessage> {
  close(): Promise<void>;
}

/** What the browser's service worker receives (JSON). */
export interface PushPayload {
  title: string;
  body: string;
  url?: string;
  messageId: string;
}

const PUSH_URGENCY: Readonly<Record<Urgency, PushUrgency>> = {
  'hoa-toc': 'high',
  'thuong-khan': 'high',
  khan: 'normal',
  thuong: 'normal',
};

type Outcome =
  | { kind: 'accepted'; location?: string }
  | { kind: 'gone'; status: number }
  | { kind: 'transient'; code: string; answer: string; retryAfterMs?: number }
  | { kind: 'permanent'; code: string; answer: string };

function trim(text: string, max = 300): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Retry-After is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const raw = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!raw) return undefined;
  if (/^\d+$/.test(raw)) return Number(raw) * 1000;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function outcomeOf(err: unknown): Outcome {
  if (err instanceof WebPushError || (typeof err === 'object' && err !== null && typeof (err as { statusCode?: unknown }).statusCode === 'number')) {
    const { statusCode, headers, body } = err as WebPushError;
    const answer = trim(`${statusCode} ${typeof body === 'string' ? body : ''}`);
    if (statusCode === 404 || statusCode === 410) return { kind: 'gone', status: statusCode };
    if (statusCode === 429) {
      const retryAfterMs = parseRetryAfter(headers?.['retry-after']);
      return { kind: 'transient', code: '429', answer, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    }
    if (statusCode >= 500 || statusCode === 408) {
      const retryAfterMs = parseRetryAfter(headers?.['retry-after']);
      return { kind: 'transient', code: String(statusCode), answer, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    }
    return { kind: 'permanent', code: String(statusCode), answer };
  }
  const e = err as { code?: unknown; message?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  // Socket-level failures carry a code (ECONNREFUSED, ETIMEDOUT, CERT_HAS_EXPIRED...) or are
  // web-push's own "Socket timeout"; what web-push throws before sending (a subscription it
  // cannot encrypt to) has neither and would fail the same way every time.
  if (typeof e?.code === 'string' || /timeout/i.test(message)) {
    return { kind: 'transient', code: typeof e?.code === 'string' ? e.code : 'ETIMEDOUT', answer: trim(message) };
  }
  return { kind: 'permanent', code: 'invalid-subscription', answer: trim(message) };
}

function checkOptions(options: WebPushSenderOptions): void {
  const problems: string[] = [];
  if (!options?.store) problems.push('store is required');
  const vapid = options?.vapid;
  if (!vapid || !/^(mailto:|https:\/\/)/.test(vapid.subject)) problems.push('vapid.subject must be a mailto: or https: URL');
  if (!vapid || Buffer.from(vapid.publicKey ?? '', 'base64url').length !== 65) problems.push('vapid.publicKey must be a base64url P-256 public key (65 bytes)');
  if (!vapid || Buffer.from(vapid.privateKey ?? '', 'base64url').length !== 32) problems.push('vapid.privateKey must be a base64url P-256 private key (32 bytes)');
  if (!Number.isInteger(options?.ttlSeconds) || options.ttlSeconds < 0) problems.push('ttlSeconds must be a whole number of seconds');
  if (!Number.isInteger(options?.timeoutMs) || options.timeoutMs < 1) problems.push('timeoutMs must be a positive whole number');
  const max = options?.maxPayloadBytes;
  if (max !== undefined && (!Number.isInteger(max) || max < 1 || max > MAX_PUSH_PAYLOAD_BYTES)) problems.push(`maxPayloadBytes must be 1-${MAX_PUSH_PAYLOAD_BYTES}`);
  if (problems.length > 0) throw new Error(`createWebPushSender: ${problems.join('; ')}`);
}

/**
 * W3C web push (VAPID, aes128gcm) to every browser the recipient registered. One browser that
 * takes the message is enough: the person has been reached.
 */
export function createWebPushSender(options: WebPushSenderOptions): WebPushSender {
  checkOptions(options);
  const { store } = options;
  const maxPayloadBytes = options.maxPayloadBytes ?? MAX_PUSH_PAYLOAD_BYTES;
  const ownAgent = options.agent ? undefined : new https.Agent({ keepAlive: true, maxSockets: 64 });
  const agent = options.agent ?? ownAgent;
  const logger = options.logger?.child({ component: 'web-push-sender' });
  const vapidDetails = { ...options.vapid };
  let closing: Promise<void> | undefined;

  const transient = (message: string, code: string, answer?: string) => new ProviderError(message, 'transient', { provider: WEB_PUSH_PROVIDER, code, ...(answer ? { answer } : {}) });
  const permanent = (message: string, code: string, answer?: string) => new ProviderError(message, 'permanent', { provider: WEB_PUSH_PROVIDER, code, ...(answer ? { answer } : {}) });

  async function deliver(subscription: StoredSubscription, payload: string, requestOptions: RequestOptions): Promise<Outcome> {
    try {
      const result = await webpush.sendNotification({ endpoint: subscription.endpoint, keys: subscription.keys }, payload, requestOptions);
      const location = result.headers?.location;
      return { kind: 'accepted', ...(typeof location === 'string' && location ? { location } : {}) };
    } catch (err) {
      return outcomeOf(err);
    }
  }

  async function forget(userId: string, subscription: StoredSubscription, why: string): Promise<void> {
    try {
      await store.remove(userId, subscription.endpoint);
      logger?.info({ userId, host: new URL(subscription.endpoint).host, why }, 'push subscription removed');
    } catch (err) {
      // Left for the next send to find gone again.
      logger?.warn({ userId, err: err instanceof Error ? err.message : String(err) }, 'could not remove a gone push subscription');
    }
  }

  return {
    name: WEB_PUSH_PROVIDER,
    async send(message: PushMessage): Promise<SendResult> {
      if (closing) throw transient('web push sender is closed', 'closed');
      const userId = message.recipient.userId;
      if (!userId) throw permanent('recipient has no user id, so no browser can be registered for them', 'no-user-id');

      const payload: PushPayload = { title: message.title, body: message.body, ...(message.url ? { url: message.url } : {}), messageId: message.id };
      const json = JSON.stringify(payload);
      const size = Buffer.byteLength(json, 'utf8');
      if (size > maxPayloadBytes) {
        throw permanent(`push payload is ${size} bytes, over the ${maxPayloadBytes}-byte limit of one push message`, 'payload-too-large');
      }

      let subscriptions: StoredSubscription[];
      try {
        subscriptions = await store.list(userId);
      } catch (err) {
        throw transient('push subscription store unavailable', 'store-unavailable', err instanceof Error ? trim(err.message) : undefined);
      }
      const now = Date.now();
      const expired = subscriptions.filter((s) => s.expirationTime !== null && s.expirationTime <= now);
      await Promise.all(expired.map((s) => forget(userId, s, 'expired')));
      const live = subscriptions.filter((s) => !expired.includes(s));
      if (live.length === 0) throw permanent(`no push subscription: user "${userId}" has not enabled notifications in any browser`, 'no-subscription');

      const requestOptions: RequestOptions = {
        vapidDetails,
        TTL: options.ttlSeconds,
        timeout: options.timeoutMs,
        urgency: PUSH_URGENCY[message.urgency],
        contentEncoding: 'aes128gcm',
        ...(agent ? { agent } : {}),
      };
      const outcomes = await Promise.all(live.map((s) => deliver(s, json, requestOptions)));
      const gone = live.filter((_, i) => outcomes[i]?.kind === 'gone');
      await Promise.all(gone.map((s) => forget(userId, s, 'gone')));

      const accepted = outcomes.find((o): o is Extract<Outcome, { kind: 'accepted' }> => o.kind === 'accepted');
      if (accepted) {
        logger?.debug({ messageId: message.id, userId, browsers: live.length, accepted: outcomes.filter((o) => o.kind === 'accepted').length }, 'push accepted');
        return { provider: WEB_PUSH_PROVIDER, ...(accepted.location ? { providerMessageId: accepted.location.slice(0, 256) } : {}) };
      }
      const transients = outcomes.filter((o): o is Extract<Outcome, { kind: 'transient' }> => o.kind === 'transient');
      const first = transients[0];
      if (first) {
        const waits = transients.map((t) => t.retryAfterMs).filter((ms): ms is number => ms !== undefined);
        throw new ProviderError(`push service did not take the message (${first.code})`, 'transient', {
          provider: WEB_PUSH_PROVIDER,
          code: first.code,
          answer: first.answer,
          ...(waits.length > 0 ? { retryAfterMs: Math.max(...waits) } : {}),
        });
      }
      const refused = outcomes.find((o): o is Extract<Outcome, { kind: 'permanent' }> => o.kind === 'permanent');
      if (refused) throw permanent(`push service refused the message (${refused.code})`, refused.code, refused.answer);
      const statuses = [...new Set(outcomes.map((o) => (o.kind === 'gone' ? o.status : 0)))].join('/');
      throw permanent(`no push subscription: every browser of user "${userId}" has unsubscribed (${statuses}); removed`, 'no-subscription', `push service answered ${statuses}`);
    },
    close(): Promise<void> {
      closing ??= Promise.resolve().then(() => ownAgent?.destroy());
      return closing;
    },
  };
}
