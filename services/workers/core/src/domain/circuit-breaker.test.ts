import { CircuitBreaker } from './circuit-breaker';

describe('circuit breaker', () => {
  let now = 0;
  const breaker = () => new CircuitBreaker({ failureThreshold: 3, windowMs: 10_000, cooldownMs: 30_000, now: () => now });
  beforeEach(() => {
    now = 1_000_000;
  });

  it('when failures stay under the threshold, then it stays closed', () => {
    const b = breaker();
    b.failure();
    b.failure();
    expect(b.state).toBe('closed');
    expect(b.tryAcquire()).toBe(true);
  });

  it('when the threshold is reached within the window, then it opens and refuses calls until the cool-down ends', () => {
    const b = breaker();
    for (let i = 0; i < 3; i += 1) b.failure();
    expect(b.state).toBe('open');
    expect(b.tryAcquire()).toBe(false);
    expect(b.retryInMs).toBe(30_000);
    now += 29_999;
    expect(b.tryAcquire()).toBe(false);
  });

  it('when failures are spread wider than the window, then they do not add up', () => {
    const b = breaker();
    b.failure();
    now += 6_000;
    b.failure();
    now += 6_000;
    b.failure();
    expect(b.state).toBe('closed');
  });

  it('when the cool-down is over, then exactly one probe goes through; its success closes the circuit', () => {
    const b = breaker();
    for (let i = 0; i < 3; i += 1) b.failure();
    now += 30_000;
    expect(b.state).toBe('half-open');
    expect(b.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false);
    b.success();
    expect(b.state).toBe('closed');
    expect(b.tryAcquire()).toBe(true);
  });

  it('when the probe fails, then the circuit opens for another cool-down', () => {
    const b = breaker();
    for (let i = 0; i < 3; i += 1) b.failure();
    now += 30_000;
    expect(b.tryAcquire()).toBe(true);
    b.failure();
    expect(b.state).toBe('open');
    now += 29_000;
    expect(b.tryAcquire()).toBe(false);
    now += 1_000;
    expect(b.tryAcquire()).toBe(true);
  });

  it('when a probe ends with something that says nothing about the provider, then release lets the next probe through', () => {
    const b = breaker();
    for (let i = 0; i < 3; i += 1) b.failure();
    now += 30_000;
    expect(b.tryAcquire()).toBe(true);
    b.release();
    expect(b.tryAcquire()).toBe(true);
  });

  it('when calls that started before the circuit opened fail late, then they do not extend the cool-down', () => {
    const b = breaker();
    for (let i = 0; i < 3; i += 1) b.failure();
    now += 10_000;
    b.failure();
    expect(b.retryInMs).toBe(20_000);
  });
});
