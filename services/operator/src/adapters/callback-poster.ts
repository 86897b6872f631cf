import type { CallbackPoster } from '../app/callback-dispatcher';

/** POSTs with fetch; a redirect is an answer (3xx), never followed, so a signed body goes only where it was set to. */
export function createFetchCallbackPoster(): CallbackPoster {
  return {
    async post(url, body, headers, { timeoutMs, signal }) {
      const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, redirect: 'manual', signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), signal]) });
      // The body is not used, but read so the connection goes back to the pool.
      await res.arrayBuffer().catch(() => undefined);
      return { status: res.status, retryAfter: res.headers.get('retry-after') };
    },
  };
}
