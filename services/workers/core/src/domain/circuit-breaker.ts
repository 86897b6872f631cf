export interface CircuitBreakerOptions {
  /** Transient failures within `windowMs` that open the circuit. */
  failureThreshold: number;
  windowMs: number;
  /** How long an open circuit refuses calls before it lets one probe through. */
  cooldownMs: number;
  now?: () => number;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * One provider's health as this process sees it. closed: calls go through, failures are counted in a
 * sliding window; past the threshold it opens. open: calls are refused until the cool-down ends.
 * half-open: exactly one probe goes through; its success closes the circuit, its failure reopens it.
 * Kept per process on purpose: each replica learns on its own within a few calls, and a Redis round
 * trip per send to share it would cost more than the few failed calls it saves.
 */
export class CircuitBreaker {
  private failures: number[] = [];
  private openedAt: number | undefined;
  private probing = false;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    if (!Number.isInteger(options.failureThreshold) || options.failureThreshold < 1) throw new RangeError('circuit breaker: failureThreshold must be a positive integer');
    if (!(options.windowMs > 0) || !(options.cooldownMs > 0)) throw new RangeError('circuit breaker: windowMs and cooldownMs must be positive');
    this.now = options.now ?? Date.now;
  }

  get state(): CircuitState {
    if (this.openedAt === undefined) return 'closed';
    return this.now() - this.openedAt >= this.options.cooldownMs ? 'half-open' : 'open';
  }

  /** Milliseconds until an open circuit lets a probe through (0 when it would now). */
  get retryInMs(): number {
    if (this.openedAt === undefined) return 0;
    return Math.max(0, this.openedAt + this.options.cooldownMs - this.now());
  }

  /**
   * Asks to make a call. In half-open, only the first caller gets true (the probe) until it reports;
   * the caller must then report with `success()` or `failure()` (or `release()` when the call
   * ended with something that says nothing about the provider's health).
   */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.probing) return false;
    this.probing = true;
    return true;
  }

  success(): void {
    this.failures = [];
    this.openedAt = undefined;
    this.probing = false;
  }

  failure(): void {
    const now = this.now();
    if (this.openedAt !== undefined) {
      // A failed probe (or a call that started before the circuit opened): stay open, restart the cool-down.
      if (this.probing || this.state !== 'open') this.openedAt = now;
      this.probing = false;
      return;
    }
    this.failures = this.failures.filter((at) => now - at < this.options.windowMs);
    this.failures.push(now);
    if (this.failures.length >= this.options.failureThreshold) {
      this.openedAt = now;
      this.failures = [];
    }
  }

  release(): void {
    this.probing = false;
  }
}
