import type { Redis } from 'ioredis';
import type { ChannelMessage } from '@gateway/contracts';
import type { ChannelSender, SendResult } from '../domain/ports';
import { ThrottledError } from '../domain/errors';
import { LuaScript } from '@gateway/common';

export interface RateLimit {
  /** Sends per second allowed by the contract with the provider, for all replicas together. */
  perSecond: number;
  /** Sends allowed back to back before the spacing applies (1: strictly evenly spaced). */
  burst: number;
  /** A caller never waits longer than this for its turn; past it the send is deferred. */
  maxWaitMs: number;
}

// GCRA with reservations: each caller atomically books the next free slot (the "theoretical arrival
// time" moves on by one interval) and is told how long to sleep until it. No polling: a thousand
// waiting sends cost a thousand round trips, not a thousand loops. Redis's clock is the only clock,
// so replicas on different machines share one schedule.
const RESERVE = new LuaScript(
  `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local maxWait = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - tolerance - now
if wait < 0 then wait = 0 end
if wait > maxWait then return {0, tostring(wait)} end
local nextTat = tat + interval
redis.call('SET', KEYS[1], string.format('%.3f', nextTat), 'PX', math.ceil(nextTat - now) + 1000)
return {1, tostring(wait)}`,
  1,
);

/** Port: a shared schedule of send slots per bucket (GCRA). The in-memory adapter is MemoryRateLimiter. */
export interface RateLimiter {
  reserve(bucket: string, limit: RateLimit): Promise<{ ok: true; waitMs: number } | { ok: false; waitMs: number }>;
}

export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly keyOf: (bucket: string) => string,
  ) {}

  /** Books a slot: resolves with the milliseconds to wait before sending, or undefined when none is free within `maxWaitMs`. */
  async reserve(bucket: string, limit: RateLimit): Promise<{ ok: true; waitMs: number } | { ok: false; waitMs: number }> {
    checkRateLimit(limit);
    const interval = 1000 / limit.perSecond;
    const tolerance = interval * (limit.burst - 1);
    const [ok, wait] = (await RESERVE.run(this.redis, [this.keyOf(bucket)], [interval, tolerance, limit.maxWaitMs])) as [number, string];
    const waitMs = Math.ceil(Number(wait));
    return ok === 1 ? { ok: true, waitMs } : { ok: false, waitMs };
  }
}

export function checkRateLimit(limit: RateLimit): void {
  if (!(limit.perSecond > 0)) throw new RangeError(`rate limit: perSecond must be > 0; got ${limit.perSecond}`);
  if (!Number.isInteger(limit.burst) || limit.burst < 1) throw new RangeError(`rate limit: burst must be a positive integer; got ${limit.burst}`);
  if (!(limit.maxWaitMs >= 0)) throw new RangeError(`rate limit: maxWaitMs must be >= 0; got ${limit.maxWaitMs}`);
}

/**
 * Wraps a sender so every send first waits for its turn under the provider's limit, shared by every
 * replica through Redis. No turn within `maxWaitMs` (or Redis unreachable): a ThrottledError, which
 * defers the message without counting an attempt.
 */
export function rateLimited<M extends ChannelMessage>(sender: ChannelSender<M>, limiter: RateLimiter, limit: RateLimit, bucket: string = sender.name): ChannelSender<M> {
  checkRateLimit(limit);
  return {
    name: sender.name,
    async send(message: M): Promise<SendResult> {
      let slot: Awaited<ReturnType<RateLimiter['reserve']>>;
      try {
        slot = await limiter.reserve(bucket, limit);
      } catch (err) {
        throw new ThrottledError(sender.name, 1000, `rate limiter unavailable: ${(err as Error).message}`);
      }
      if (!slot.ok) throw new ThrottledError(sender.name, slot.waitMs);
      if (slot.waitMs > 0) await new Promise((resolve) => setTimeout(resolve, slot.waitMs));
      return sender.send(message);
    },
    close: async () => {
      await sender.close?.();
    },
  };
}
