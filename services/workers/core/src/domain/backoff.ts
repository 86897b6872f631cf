/**
 * Retry policy of one channel. `maxAttempts` counts sends, the first one included: with 8, a
 * message is tried once and retried at most 7 times, then it is dead.
 */
export interface RetryPolicy {
  maxAttempts: number;
  /** The first wait is drawn from [0, 2 × base]: its mean is `baseMs`. */
  baseMs: number;
  /** No single drawn wait exceeds this (a provider's Retry-After may still ask for more). */
  capMs: number;
}

/**
 * 8 attempts, waits drawn from [0, min(10 min, 10 s × 2^n)] after attempt n: the longest possible
 * schedule is 20 + 40 + 80 + 160 + 320 + 600 + 600 s ≈ 30 min, the mean about half of that.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({ maxAttempts: 8, baseMs: 10_000, capMs: 600_000 });

export function checkRetryPolicy(policy: RetryPolicy): RetryPolicy {
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) throw new RangeError(`retry policy: maxAttempts must be a positive integer; got ${policy.maxAttempts}`);
  if (!(policy.baseMs >= 0)) throw new RangeError(`retry policy: baseMs must be >= 0; got ${policy.baseMs}`);
  if (!(policy.capMs >= policy.baseMs)) throw new RangeError(`retry policy: capMs (${policy.capMs}) must be >= baseMs (${policy.baseMs})`);
  return policy;
}

/** The upper bound of the wait after `failedAttempt` (1-based) failed: min(cap, base × 2^attempt). */
export function backoffCeiling(policy: RetryPolicy, failedAttempt: number): number {
  // 2^40 already overflows any sane cap; avoids Infinity for absurd attempt numbers.
  const exponent = Math.min(Math.max(failedAttempt, 1), 40);
  return Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
}

/**
 * Exponential backoff with full jitter (uniform in [0, ceiling]): replicas retrying after the
 * same outage spread out instead of coming back in a wave. A provider's Retry-After is a floor.
 */
export function retryDelay(policy: RetryPolicy, failedAttempt: number, options: { retryAfterMs?: number; random?: () => number } = {}): number {
  const random = options.random ?? Math.random;
  const jittered = Math.floor(random() * (backoffCeiling(policy, failedAttempt) + 1));
  return Math.max(jittered, Math.ceil(options.retryAfterMs ?? 0));
}

/** The longest a message can spend between its first attempt and its last (all waits at their ceiling). */
export function longestSchedule(policy: RetryPolicy): number {
  let total = 0;
  for (let attempt = 1; attempt < policy.maxAttempts; attempt += 1) total += backoffCeiling(policy, attempt);
  return total;
}
