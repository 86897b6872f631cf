import type { ChannelMessage } from '@gateway/contracts';

/** What a provider said when it accepted a message. */
export interface SendResult {
  /** Which provider sent it (e.g. "twilio", "esms", "smtp", "web-push", "inbox"); shown to operators. */
  provider: string;
  providerMessageId?: string;
}

export type ErrorClass = 'transient' | 'permanent';

/**
 * Every provider failure becomes one of these, inside the adapter: SDK error types never leave it.
 * transient: network errors, timeouts, HTTP 429 and 5xx, SMTP 4xx — retried with backoff.
 * permanent: invalid number (e.g. Twilio 21211), SMTP 5xx rejects, other 4xx — never retried.
 */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly errorClass: ErrorClass,
    readonly details: {
      provider: string;
      /** Provider's own code, e.g. "21211", "550", "410". */
      code?: string;
      /** The provider's answer, trimmed, for the operator's failure record (no secrets). */
      answer?: string;
      /** A provider-imposed wait (HTTP Retry-After); the retry is not scheduled earlier. */
      retryAfterMs?: number;
    },
  ) {
    super(message);
    this.name = 'ProviderError';
  }

  get retriable(): boolean {
    return this.errorClass === 'transient';
  }
}

/**
 * Port: delivers one message of a channel. Implementations must be safe to call concurrently,
 * must not mutate shared state per message, and must throw only ProviderError.
 */
export interface ChannelSender<M extends ChannelMessage = ChannelMessage> {
  readonly name: string;
  send(message: M): Promise<SendResult>;
  close?(): Promise<void>;
}
