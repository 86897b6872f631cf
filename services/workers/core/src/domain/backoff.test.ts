import { backoffCeiling, checkRetryPolicy, DEFAULT_RETRY_POLICY, longestSchedule, retryDelay, type RetryPolicy } from './backoff';

describe('exponential backoff with full jitter', () => {
  const policy: RetryPolicy = { maxAttempts: 8, baseMs: 10_000, capMs: 600_000 };

  it('when the random draw is at its extremes, then the wait spans exactly [0, min(cap, base × 2^attempt)]', () => {
    for (let attempt = 1; attempt <= 10; attempt += 1) {
      const ceiling = Math.min(600_000, 10_000 * 2 ** attempt);
      expect(retryDelay(policy, attempt, { random: () => 0 })).toBe(0);
      expect(retryDelay(policy, attempt, { random: () => 0.999_999_999 })).toBe(ceiling);
      expect(backoffCeiling(policy, attempt)).toBe(ceiling);
    }
  });

  it('when drawn many times, then every wait stays within its bounds and the mean is about half the ceiling (full jitter, not equal jitter)', () => {
    for (const attempt of [1, 3, 6]) {
      const ceiling = backoffCeiling(policy, attempt);
      const draws = Array.from({ length: 5000 }, () => retryDelay(policy, attempt));
      expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...draws)).toBeLessThanOrEqual(ceiling);
      const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
      expect(mean / ceiling).toBeGreaterThan(0.45);
      expect(mean / ceiling).toBeLessThan(0.55);
      // Draws near zero happen: that is what spreads a herd of retries.
      expect(draws.some((d) => d < ceiling * 0.1)).toBe(true);
    }
  });

  it('when the attempt number grows past the cap, then the ceiling stays at the cap (and never overflows)', () => {
    expect(backoffCeiling(policy, 6)).toBe(600_000);
    expect(backoffCeiling(policy, 1000)).toBe(600_000);
    expect(Number.isFinite(retryDelay(policy, 10_000, { random: () => 0.5 }))).toBe(true);
  });

  it('when the provider sent Retry-After, then the wait is never shorter than it, even past the cap', () => {
    expect(retryDelay(policy, 1, { random: () => 0, retryAfterMs: 30_000 })).toBe(30_000);
    expect(retryDelay(policy, 1, { random: () => 0.99, retryAfterMs: 1_000 })).toBe(Math.floor(0.99 * 20_001));
    expect(retryDelay(policy, 7, { random: () => 0.99, retryAfterMs: 900_000 })).toBe(900_000);
  });

  it('when the defaults are used, then 8 attempts span at most about 30 minutes', () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({ maxAttempts: 8, baseMs: 10_000, capMs: 600_000 });
    const minutes = longestSchedule(DEFAULT_RETRY_POLICY) / 60_000;
    expect(minutes).toBeGreaterThan(28);
    expect(minutes).toBeLessThan(32);
  });

  it('when a policy is inconsistent, then it is refused', () => {
    expect(() => checkRetryPolicy({ maxAttempts: 0, baseMs: 1, capMs: 1 })).toThrow(/maxAttempts/);
    expect(() => checkRetryPolicy({ maxAttempts: 3, baseMs: 100, capMs: 10 })).toThrow(/capMs/);
  });
});
