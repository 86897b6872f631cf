import { ProviderError } from './ports';

/**
 * The send did not happen because this replica could not get a turn under the provider's rate limit
 * within the allowed wait. Not the provider's fault and not a failed attempt: the message is put
 * back in the delay with the same attempt number.
 */
export class ThrottledError extends ProviderError {
  constructor(provider: string, retryAfterMs: number, reason = 'rate limit: no slot within the allowed wait') {
    super(reason, 'transient', { provider, code: 'THROTTLED', retryAfterMs });
    this.name = 'ThrottledError';
  }
}

/** A sender broke its contract (threw something else than a ProviderError): retried like a transient error. */
export function asProviderError(err: unknown, provider: string): ProviderError {
  if (err instanceof ProviderError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ProviderError(`unexpected error in the ${provider} sender: ${message}`, 'transient', { provider, code: 'UNEXPECTED' });
}

/**
 * The sender did not settle within the worker's own limit (a safety net above the adapter's HTTP
 * timeout). Unlike a refused connection, the outcome is unknown: the provider may have accepted.
 */
export class SendTimeoutError extends ProviderError {
  constructor(provider: string, ms: number) {
    super(`no answer from ${provider} within ${ms} ms`, 'transient', { provider, code: 'TIMEOUT' });
    this.name = 'SendTimeoutError';
  }
}
