import type { Redis } from 'ioredis';
import type { DeliveryStatus } from '@gateway/contracts';

export interface NotificationView {
  messageId: string;
  eventId: string;
  channel: DeliveryStatus['channel'];
  /** The current state: the latest transition, except that a final state is not undone by a late echo. */
  status: DeliveryStatus['status'];
  attempts: number;
  provider?: string;
  providerMessageId?: string;
  lastError?: DeliveryStatus['error'];
  reason?: string;
  nextAttemptAt?: string;
  firstSeenAt: string;
  updatedAt: string;
  history: DeliveryStatus[];
}

/** Port: the read model of delivery statuses. */
export interface StatusStore {
  apply(statuses: DeliveryStatus[]): Promise<void>;
  get(messageId: string): Promise<NotificationView | undefined>;
}

// Statuses arrive at least once: a transition already recorded (same state, attempt and time) is
// ignored. The current state only moves forward from a final state when a new attempt starts
// (an operator resend), so a late duplicate of "sending" cannot hide "delivered".
const APPLY = `
local fp = ARGV[1]
if redis.call('SADD', KEYS[2], fp) == 0 then return 0 end
redis.call('RPUSH', KEYS[3], ARGV[2])
local s = cjson.decode(ARGV[2])
local cur = redis.call('HGET', KEYS[1], 'status')
local curAttempt = tonumber(redis.call('HGET', KEYS[1], 'attempt') or '0')
local attempt = tonumber(s.attempt or curAttempt)
local final = { delivered = 1, undelivered = 1, read = 1, failed = 1, dead = 1, skipped = 1 }
local rank = { rendered = 0, skipped = 1, queued = 1, sending = 2, retrying = 2, sent = 3, undelivered = 4, delivered = 4, failed = 4, dead = 4, read = 5 }
local move = true
if cur and final[cur] and attempt <= curAttempt and (rank[s.status] or 0) <= (rank[cur] or 0) then move = false end
if cur == 'sent' and (s.status == 'sending' or s.status == 'queued' or s.status == 'rendered') and attempt <= curAttempt then move = false end
if not redis.call('HGET', KEYS[1], 'firstSeenAt') then
  redis.call('HSET', KEYS[1], 'firstSeenAt', s.at, 'messageId', s.messageId, 'eventId', s.eventId, 'channel', s.channel)
end
if attempt > curAttempt then redis.call('HSET', KEYS[1], 'attempt', attempt) end
if move then
  redis.call('HSET', KEYS[1], 'status', s.status, 'updatedAt', s.at)
  if s.provider then redis.call('HSET', KEYS[1], 'provider', s.provider) end
  if s.providerMessageId then redis.call('HSET', KEYS[1], 'providerMessageId', s.providerMessageId) end
  if s.reason then redis.call('HSET', KEYS[1], 'reason', s.reason) end
  if s.nextAttemptAt then redis.call('HSET', KEYS[1], 'nextAttemptAt', s.nextAttemptAt) else redis.call('HDEL', KEYS[1], 'nextAttemptAt') end
  if s.error then redis.call('HSET', KEYS[1], 'lastError', cjson.encode(s.error)) end
end
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
return 1
`;

export function createRedisStatusStore(redis: Redis, options: { prefix: string; retentionMs?: number }): StatusStore {
  redis.defineCommand('gwApplyStatus', { numberOfKeys: 3, lua: APPLY });
  const r = redis as Redis & { gwApplyStatus(k1: string, k2: string, k3: string, fp: string, json: string, ttl: number): Promise<number> };
  const retention = options.retentionMs ?? 90 * 24 * 3600 * 1000;
  const keys = (id: string) => [`${options.prefix}notif:${id}`, `${options.prefix}notif:${id}:seen`, `${options.prefix}notif:${id}:history`] as const;
  return {
    async apply(statuses) {
      // Auto-pipelining turns these into a few round trips for a whole batch.
      await Promise.all(
        statuses.map((s) => {
          const [a, b, c] = keys(s.messageId);
          return r.gwApplyStatus(a, b, c, `${s.status}|${s.attempt ?? ''}|${s.at}`, JSON.stringify(s), retention);
        }),
      );
    },
    async get(messageId) {
      const [a, , c] = keys(messageId);
      const [hash, history] = await Promise.all([redis.hgetall(a), redis.lrange(c, 0, -1)]);
      if (!hash.status || !hash.eventId || !hash.channel) return undefined;
      return {
        messageId,
        eventId: hash.eventId,
        channel: hash.channel as NotificationView['channel'],
        status: hash.status as NotificationView['status'],
        attempts: Number(hash.attempt ?? 0),
        ...(hash.provider ? { provider: hash.provider } : {}),
        ...(hash.providerMessageId ? { providerMessageId: hash.providerMessageId } : {}),
        ...(hash.lastError ? { lastError: JSON.parse(hash.lastError) as NotificationView['lastError'] } : {}),
        ...(hash.reason ? { reason: hash.reason } : {}),
        ...(hash.nextAttemptAt ? { nextAttemptAt: hash.nextAttemptAt } : {}),
        firstSeenAt: hash.firstSeenAt ?? hash.updatedAt ?? '',
        updatedAt: hash.updatedAt ?? '',
        history: history.map((h) => JSON.parse(h) as DeliveryStatus).sort((x, y) => x.at.localeCompare(y.at)),
      };
    },
  };
}
