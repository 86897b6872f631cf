import { ProviderError } from '@gateway/worker-core';

/** The provider's answer as kept in a failure record: trimmed, never more than this. */
export function trimAnswer(text: string, max = 500): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** Retry-After as seconds or an HTTP date, in milliseconds; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const TRANSIENT_NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED']);

/**
 * A request that got no HTTP answer (refused, reset, timed out, DNS) is transient. Whether the
 * provider acted on it is unknown only when it was sent and the answer was lost (reset, timeout);
 * a refused connection never reached it.
 */
export function networkError(err: unknown, provider: string): ProviderError {
  const e = err as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return new ProviderError(`${provider}: no answer in time`, 'transient', { provider, code: 'TIMEOUT' });
  const code = e?.cause?.code ?? e?.code ?? 'NETWORK';
  const detail = e?.cause?.message ?? e?.message ?? String(err);
  return new ProviderError(`${provider}: network error (${code}): ${detail}`, 'transient', { provider, code: TRANSIENT_NETWORK.has(code) ? code : `NETWORK:${code}` });
}
