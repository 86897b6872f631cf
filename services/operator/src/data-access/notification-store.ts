import type { Redis } from 'ioredis';
import { CHANNELS, DELIVERY_STATES, FINAL_DELIVERY_STATES, type DeliveryStatus } from '@gateway/contracts';
import { emptyTotals, fingerprint, STATUS_RANK, matchesRecipient, searchText, wellFormedStatus, type NotificationFilter, type NotificationRecord, type NotificationView, type SearchPage, type SearchQuery } from '../domain/notification';

/** Port: the read model of delivery statuses, searchable. */
export interface ApplyOutcome {
  /** Statuses the store refused on their own (Redis answered an error for that status alone); every other one was applied. */
  rejected: Array<{ status: DeliveryStatus; reason: string }>;
}

export interface NotificationStore {
  /** Applies every status it can; an error of the store itself (unreachable, out of memory) is thrown and nothing is reported rejected. */
  apply(statuses: DeliveryStatus[]): Promise<ApplyOutcome>;
  get(messageId: string): Promise<NotificationView | undefined>;
  /** Current records without history; ids not found are absent from the map. */
  getMany(messageIds: readonly string[]): Promise<Map<string, NotificationRecord>>;
  search(query: SearchQuery): Promise<SearchPage>;
  /** Every id matching the filter, oldest first (by the time of the current state), at most `limit` (for bulk resend jobs and reports). */
  matchIds(filter: NotificationFilter, limit: number): Promise<string[]>;
}

const DEFAULT_RETENTION_MS = 90 * 24 * 3600 * 1000;

/** A Lua table literal from string keys to numbers. */
const luaTable = (entries: Array<[string, number]>): string => `{ ${entries.map(([k, v]) => `[${JSON.stringify(k)}] = ${v}`).join(', ')} }`;

/** The tables of the move rule, written once in the domain (`moves()`), embedded in the script below. */
const MOVE_TABLES = [
  `local final = ${luaTable([...FINAL_DELIVERY_STATES].map((state) => [state, 1]))}`,
  `local rank = ${luaTable(Object.entries(STATUS_RANK))}`,
].join('\n');

// Statuses arrive at least once: a transition already recorded (same state, attempt and time) is
// ignored. The move rule is `moves()` in domain/notification.ts (the memory adapter uses it); the
// script embeds its tables (MOVE_TABLES) and repeats its three conditions, which the store suite
// holds together by running every transition through both adapters.
// The index: one sorted set per searchable value (all, status, channel, event, source, urgency),
// scored by the time of the current state, trimmed past the retention on every touch; and the
// set of attempts a later resend of their chain replaced (`nidx:sup`, the rule of advanceHead()
// in domain/resend-chain.ts, with the chain's head kept on the original's hash). The status is
// decoded before anything is written, so a status the script cannot read leaves no trace. The keys
// are derived from the prefix inside the script: the gateway uses one Redis, not a cluster.
const APPLY = `
local s = cjson.decode(ARGV[2])
local fp = ARGV[1]
if redis.call('SADD', KEYS[2], fp) == 0 then return 0 end
redis.call('RPUSH', KEYS[3], ARGV[2])
local P = ARGV[4]
local atMs = tonumber(ARGV[5])
local cutoff = tonumber(ARGV[6]) - tonumber(ARGV[3])
local id = s.messageId
local cur = redis.call('HGET', KEYS[1], 'status')
local curAttempt = tonumber(redis.call('HGET', KEYS[1], 'attempt') or '0')
local attempt = tonumber(s.attempt or curAttempt)
${MOVE_TABLES}
local move = true
if cur and s.status == 'rendered' then move = false end
if cur and final[cur] and attempt <= curAttempt and (rank[s.status] or 0) <= (rank[cur] or 0) then move = false end
if cur == 'sent' and (s.status == 'sending' or s.status == 'queued') and attempt <= curAttempt then move = false end
if not redis.call('HGET', KEYS[1], 'firstSeenAt') then
  redis.call('HSET', KEYS[1], 'firstSeenAt', s.at, 'messageId', id, 'eventId', s.eventId, 'channel', s.channel)
end
if s.summary then redis.call('HSET', KEYS[1], 'summary', ARGV[7], 'search', ARGV[8]) end
if s.resendOf and not redis.call('HGET', KEYS[1], 'resendOf') then
  local chain = P .. 'notif:' .. s.resendOf
  local h = redis.call('HMGET', chain, 'chainHead', 'chainHeadAtMs')
  local headId = h[1] or s.resendOf
  local headAt = tonumber(h[2] or '')
  local superseded = id
  if headAt == nil or atMs > headAt or (atMs == headAt and id > headId) then
    superseded = headId
    redis.call('HSET', chain, 'chainHead', id, 'chainHeadAtMs', atMs)
    redis.call('PEXPIRE', chain, ARGV[3])
  end
  redis.call('ZADD', P .. 'nidx:sup', atMs, superseded)
  redis.call('ZREMRANGEBYSCORE', P .. 'nidx:sup', '-inf', '(' .. cutoff)
  redis.call('PEXPIRE', P .. 'nidx:sup', ARGV[3])
end
if s.resendOf then redis.call('HSET', KEYS[1], 'resendOf', s.resendOf) end
if attempt > curAttempt then redis.call('HSET', KEYS[1], 'attempt', attempt) end
if move then
  if cur and cur ~= s.status then redis.call('ZREM', P .. 'nidx:st:' .. cur, id) end
  redis.call('HSET', KEYS[1], 'status', s.status, 'updatedAt', s.at, 'updatedAtMs', atMs)
  if s.provider then redis.call('HSET', KEYS[1], 'provider', s.provider) end
  if s.providerMessageId then redis.call('HSET', KEYS[1], 'providerMessageId', s.providerMessageId) end
  if s.reason then redis.call('HSET', KEYS[1], 'reason', s.reason) end
  if s.nextAttemptAt then redis.call('HSET', KEYS[1], 'nextAttemptAt', s.nextAttemptAt) else redis.call('HDEL', KEYS[1], 'nextAttemptAt') end
  if s.error then redis.call('HSET', KEYS[1], 'lastError', cjson.encode(s.error)) end
end
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
local h = redis.call('HMGET', KEYS[1], 'updatedAtMs', 'status', 'summary')
local score = tonumber(h[1] or atMs)
local sets = { P .. 'nidx:all', P .. 'nidx:st:' .. h[2], P .. 'nidx:ch:' .. s.channel, P .. 'nidx:ev:' .. s.eventId }
if h[3] then
  local sm = cjson.decode(h[3])
  if type(sm.source) == 'string' then table.insert(sets, P .. 'nidx:src:' .. sm.source) end
  if type(sm.urgency) == 'string' then table.insert(sets, P .. 'nidx:urg:' .. sm.urgency) end
end
for _, key in ipairs(sets) do
  redis.call('ZADD', key, score, id)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. cutoff)
  redis.call('PEXPIRE', key, ARGV[3])
end
return 1
`;

type Scripted = Redis & { gwApplyStatus3(k1: string, k2: string, k3: string, ...args: Array<string | number>): Promise<number> };

function recordFrom(messageId: string, hash: Record<string, string>): NotificationRecord | undefined {
  if (!hash.status || !hash.eventId || !hash.channel) return undefined;
  return {
    messageId,
    eventId: hash.eventId,
    channel: hash.channel as NotificationRecord['channel'],
    status: hash.status as NotificationRecord['status'],
    attempts: Number(hash.attempt ?? 0),
    ...(hash.provider ? { provider: hash.provider } : {}),
    ...(hash.providerMessageId ? { providerMessageId: hash.providerMessageId } : {}),
    ...(hash.lastError ? { lastError: JSON.parse(hash.lastError) as NotificationRecord['lastError'] } : {}),
    ...(hash.reason ? { reason: hash.reason } : {}),
    ...(hash.nextAttemptAt ? { nextAttemptAt: hash.nextAttemptAt } : {}),
    firstSeenAt: hash.firstSeenAt ?? hash.updatedAt ?? '',
    updatedAt: hash.updatedAt ?? '',
    ...(hash.summary ? { summary: JSON.parse(hash.summary) as NotificationRecord['summary'] } : {}),
    ...(hash.resendOf ? { resendOf: hash.resendOf } : {}),
  };
}

/** Ids per pipeline or script call: bounded work per round trip, so one big read never stalls Redis for every service. */
export const REDIS_CHUNK = 500;

/** Redis ran the script and it failed on this status (unreadable, a key of the wrong type): the same status fails every time. */
const TRANSIENT_REPLY = /^(OOM|LOADING|BUSY|READONLY|MASTERDOWN|NOREPLICAS|TRYAGAIN|CLUSTERDOWN)\b/;
function refusedAlone(err: unknown): boolean {
  return err instanceof Error && err.name === 'ReplyError' && /@user_script:/.test(err.message) && !TRANSIENT_REPLY.test(err.message);
}

export function createRedisNotificationStore(redis: Redis, options: { prefix: string; retentionMs?: number; now?: () => number }): NotificationStore {
  redis.defineCommand('gwApplyStatus3', { numberOfKeys: 3, lua: APPLY });
  const r = redis as Scripted;
  const P = options.prefix;
  const retention = options.retentionMs ?? DEFAULT_RETENTION_MS;
  const now = options.now ?? Date.now;
  const keys = (id: string) => [`${P}notif:${id}`, `${P}notif:${id}:seen`, `${P}notif:${id}:history`] as const;
  const idx = {
    all: `${P}nidx:all`,
    status: (s: string) => `${P}nidx:st:${s}`,
    channel: (c: string) => `${P}nidx:ch:${c}`,
    event: (e: string) => `${P}nidx:ev:${e}`,
    source: (s: string) => `${P}nidx:src:${s}`,
    urgency: (u: string) => `${P}nidx:urg:${u}`,
    superseded: `${P}nidx:sup`,
  };

  async function getMany(ids: readonly string[]): Promise<Map<string, NotificationRecord>> {
    const out = new Map<string, NotificationRecord>();
    for (let i = 0; i < ids.length; i += REDIS_CHUNK) {
      const chunk = ids.slice(i, i + REDIS_CHUNK);
      const pipeline = redis.pipeline();
      for (const id of chunk) pipeline.hgetall(keys(id)[0]);
      const results = (await pipeline.exec()) ?? [];
      chunk.forEach((id, j) => {
        const [err, hash] = results[j] ?? [null, {}];
        if (err) throw err;
        const record = recordFrom(id, hash as Record<string, string>);
        if (record) out.set(id, record);
      });
    }
    return out;
  }

  /**
   * The filter without the recipient, as a temporary sorted set (scored by the time of the
   * current state): the intersection of the index sets, unions for multi-valued filters, cut to
   * the time range. The caller deletes it.
   */
  async function candidates(filter: NotificationFilter): Promise<string> {
    const tmp = `${P}nidx:tmp:${now()}:${Math.random().toString(36).slice(2)}`;
    const parts: string[] = [idx.all];
    const temps: string[] = [];
    const union = async (values: readonly string[] | undefined, key: (v: string) => string) => {
      if (!values) return;
      if (values.length === 1) {
        parts.push(key(values[0] as string));
        return;
      }
      const u = `${tmp}:u${temps.length}`;
      temps.push(u);
      await redis.zunionstore(u, values.length, ...values.map(key), 'AGGREGATE', 'MAX');
      parts.push(u);
    };
    await union(filter.status, idx.status);
    await union(filter.channel, idx.channel);
    await union(filter.urgency, idx.urgency);
    if (filter.eventId !== undefined) parts.push(idx.event(filter.eventId));
    if (filter.source !== undefined) parts.push(idx.source(filter.source));
    await redis.zinterstore(tmp, parts.length, ...parts, 'AGGREGATE', 'MAX');
    if (filter.latestOnly) await redis.zdiffstore(tmp, 2, tmp, idx.superseded);
    const lower = Math.max(filter.from ?? 0, now() - retention);
    await redis.zremrangebyscore(tmp, '-inf', `(${lower}`);
    if (filter.to !== undefined) await redis.zremrangebyscore(tmp, `(${filter.to}`, '+inf');
    await redis.expire(tmp, 60);
    if (temps.length) await redis.del(...temps);
    return tmp;
  }

  /** The recipient pass: candidates whose search text matches, in score order, with status and channel. */
  async function byRecipient(tmp: string, query: string, descending: boolean): Promise<Array<{ id: string; status: string; channel: string }>> {
    const ids = descending ? await redis.zrevrange(tmp, 0, -1) : await redis.zrange(tmp, 0, -1);
    const out: Array<{ id: string; status: string; channel: string }> = [];
    for (let i = 0; i < ids.length; i += REDIS_CHUNK) {
      const chunk = ids.slice(i, i + REDIS_CHUNK);
      const pipeline = redis.pipeline();
      for (const id of chunk) pipeline.hmget(keys(id)[0], 'search', 'status', 'channel');
      const results = (await pipeline.exec()) ?? [];
      chunk.forEach((id, j) => {
        const [search, status, channel] = ((results[j]?.[1] as Array<string | null> | undefined) ?? []);
        if (status && channel && matchesRecipient(search ?? '', query)) out.push({ id, status, channel });
      });
    }
    return out;
  }

  return {
    async apply(statuses) {
      const nowMs = now();
      // Auto-pipelining (when enabled on the client) turns these into a few round trips per batch.
      const results = await Promise.allSettled(
        statuses.map((raw) => {
          const s = wellFormedStatus(raw);
          const [a, b, c] = keys(s.messageId);
          return r.gwApplyStatus3(a, b, c, fingerprint(s), JSON.stringify(s), retention, P, Date.parse(s.at), nowMs, s.summary ? JSON.stringify(s.summary) : '', searchText(s.summary));
        }),
      );
      const rejected: ApplyOutcome['rejected'] = [];
      results.forEach((result, i) => {
        if (result.status === 'fulfilled') return;
        if (!refusedAlone(result.reason)) throw result.reason;
        rejected.push({ status: statuses[i] as DeliveryStatus, reason: (result.reason as Error).message });
      });
      return { rejected };
    },
    async get(messageId) {
      const [a, , c] = keys(messageId);
      const [hash, history] = await Promise.all([redis.hgetall(a), redis.lrange(c, 0, -1)]);
      const record = recordFrom(messageId, hash);
      if (!record) return undefined;
      return { ...record, history: history.map((h) => JSON.parse(h) as DeliveryStatus).sort((x, y) => x.at.localeCompare(y.at)) };
    },
    getMany,
    async search(query) {
      const tmp = await candidates(query);
      try {
        const descending = query.sort === '-updatedAt';
        const start = (query.page - 1) * query.pageSize;
        const totals = emptyTotals();
        if (query.recipient !== undefined) {
          const matched = await byRecipient(tmp, query.recipient, descending);
          for (const m of matched) {
            totals.byStatus[m.status] = (totals.byStatus[m.status] ?? 0) + 1;
            totals.byChannel[m.channel] = (totals.byChannel[m.channel] ?? 0) + 1;
          }
          const pageIds = matched.slice(start, start + query.pageSize).map((m) => m.id);
          const records = await getMany(pageIds);
          return { items: pageIds.map((id) => records.get(id)).filter((x): x is NotificationRecord => !!x), total: matched.length, totals };
        }
        const [total, pageIds, ...counts] = await Promise.all([
          redis.zcard(tmp),
          query.pageSize === 0 ? Promise.resolve([] as string[]) : descending ? redis.zrevrange(tmp, start, start + query.pageSize - 1) : redis.zrange(tmp, start, start + query.pageSize - 1),
          ...DELIVERY_STATES.map((s) => redis.call('ZINTERCARD', 2, tmp, idx.status(s)) as Promise<number>),
          ...CHANNELS.map((c) => redis.call('ZINTERCARD', 2, tmp, idx.channel(c)) as Promise<number>),
        ]);
        DELIVERY_STATES.forEach((s, i) => (totals.byStatus[s] = Number(counts[i] ?? 0)));
        CHANNELS.forEach((c, i) => (totals.byChannel[c] = Number(counts[DELIVERY_STATES.length + i] ?? 0)));
        const records = await getMany(pageIds);
        return { items: pageIds.map((id) => records.get(id)).filter((x): x is NotificationRecord => !!x), total, totals };
      } finally {
        await redis.del(tmp);
      }
    },
    async matchIds(filter, limit) {
      const tmp = await candidates(filter);
      try {
        if (filter.recipient !== undefined) return (await byRecipient(tmp, filter.recipient, false)).slice(0, limit).map((m) => m.id);
        return await redis.zrange(tmp, 0, limit - 1);
      } finally {
        await redis.del(tmp);
      }
    },
  };
}
