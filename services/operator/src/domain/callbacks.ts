import { createHmac, timingSafeEqual } from 'node:crypto';
import { INTERNAL_DELIVERY_STATES, type DeliveryStatus, type NotificationStatusItem } from '@gateway/contracts';

/** How old a signature's timestamp may be before a receiver refuses it (documented for integrators). */
export const CALLBACK_REPLAY_WINDOW_SECONDS = 300;

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`, the X-Gateway-Signature value. */
export function signCallback(secret: string, body: string, unixSeconds: number): string {
  const t = String(Math.floor(unixSeconds));
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: 'malformed' | 'too old' | 'mismatch' };

/** What a receiver does (the docs' snippet is this function): the gateway's own tests check it. */
export function verifyCallbackSignature(secret: string, header: string, body: string, nowSeconds: number, windowSeconds = CALLBACK_REPLAY_WINDOW_SECONDS): SignatureCheck {
  const parts = new Map(header.split(',').map((part) => [part.slice(0, part.indexOf('=')), part.slice(part.indexOf('=') + 1)]));
  const t = parts.get('t');
  const v1 = parts.get('v1');
  if (!t || !/^\d+$/.test(t) || !v1 || !/^[0-9a-f]{64}$/.test(v1)) return { ok: false, reason: 'malformed' };
  if (Math.abs(nowSeconds - Number(t)) > windowSeconds) return { ok: false, reason: 'too old' };
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(v1, 'hex')) ? { ok: true } : { ok: false, reason: 'mismatch' };
}

/** Who a message belongs to, learnt from its first status (the renderer's summary). */
export interface MessageOrigin {
  source: string;
  recipientId?: string;
}

/** The status as a callback item, or undefined for the gateway's internal steps. */
export function callbackItemOf(status: DeliveryStatus, origin: MessageOrigin | undefined): NotificationStatusItem | undefined {
  if (INTERNAL_DELIVERY_STATES.has(status.status)) return undefined;
  const item: NotificationStatusItem = { messageId: status.messageId, eventId: status.eventId, channel: status.channel, status: status.status, at: status.at };
  const recipientId = status.summary?.recipient.id ?? origin?.recipientId;
  if (recipientId) item.recipientId = recipientId;
  const reason = status.reason ?? status.error?.message;
  if (reason) item.reason = reason.slice(0, 1000);
  return item;
}

/** What one POST's outcome means for the batch. */
export type AttemptOutcome =
  | { kind: 'delivered' }
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  | { kind: 'give up'; reason: string };

/** 2xx delivered; 5xx, 408, 429 and no answer retried; any other 4xx is the receiver refusing it. */
export function outcomeOfAnswer(status: number, retryAfter: string | null, now = Date.now()): AttemptOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  const reason = `HTTP ${status}`;
  if (status >= 500 || status === 408 || status === 429) {
    const retryAfterMs = parseRetryAfter(retryAfter, now);
    return retryAfterMs === undefined ? { kind: 'retry', reason } : { kind: 'retry', reason, retryAfterMs };
  }
  return { kind: 'give up', reason };
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/**
 * The wait before attempt `attempt + 1`: base × 2^(attempt-1), capped, with up to 20 % jitter so
 * a recovering receiver is not hit by every batch at once; a longer Retry-After wins (capped too).
 */
export function backoffMs(attempt: number, policy: BackoffPolicy, retryAfterMs?: number, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(exponential * (1 - 0.2 * random()));
  return retryAfterMs === undefined ? jittered : Math.min(policy.maxMs, Math.max(jittered, retryAfterMs));
}
