import type { Redis } from 'ioredis';
import type { Channel } from '@gateway/contracts';

export interface ContactChange {
  before?: string;
  after: string;
}

/** One operator resend: the new message and the original notification (its chain) it replaces. */
export interface ResendRecord {
  resendId: string;
  messageId: string;
  originalId: string;
  channel: Channel;
  /** What makes a repeat the same resend: `req:<requestId>`, `job:<jobId>` or `auto:<digest of the corrections>`. */
  requestKey: string;
  by: string;
  at: string;
  jobId?: string;
  /** What this resend changed of the latest attempt's contact. */
  corrections?: { phone?: ContactChange; email?: ContactChange };
  /** Where it went: the latest attempt's contact with the corrections (absent in records made before chains). */
  contact?: { phone?: string; email?: string };
  /** Set once the new message was acknowledged by the bus. */
  published: boolean;
}

/** Port: resend records, their links to the original, and the window in which a repeat is the same resend. */
export interface ResendStore {
  /**
   * Stores the resend unless the same original already has one with the same request key within
   * its window; answers the stored one and whether it is new. Atomic: two concurrent clicks get one.
   */
  claim(record: ResendRecord, windowMs: number): Promise<{ record: ResendRecord; created: boolean }>;
  markPublished(resendId: string): Promise<void>;
  get(resendId: string): Promise<ResendRecord | undefined>;
  /** The resend that produced this message, if it is one. */
  byMessage(messageId: string): Promise<ResendRecord | undefined>;
  /** Oldest first. */
  resendsOf(originalId: string): Promise<ResendRecord[]>;
  /** The latest resend of each original that has one (the last of its `resendsOf`), all read at once. */
  latestOf(originalIds: readonly string[]): Promise<Map<string, ResendRecord>>;
}

const RETENTION_MS = 90 * 24 * 3600 * 1000;

const CLAIM = `
local existing = redis.call('GET', KEYS[1])
if existing then
  return { 0, redis.call('GET', ARGV[1] .. existing) or '' }
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[4])
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[5])
redis.call('SET', KEYS[3], ARGV[2], 'PX', ARGV[5])
redis.call('RPUSH', KEYS[4], ARGV[2])
redis.call('PEXPIRE', KEYS[4], ARGV[5])
return { 1, ARGV[3] }
`;

const MARK = `
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local r = cjson.decode(raw)
r.published = true
redis.call('SET', KEYS[1], cjson.encode(r), 'KEEPTTL')
return 1
`;

/**
 * For each original's list (KEYS), its last resend whose record is still kept, or ''. Like CLAIM,
 * it reads record keys it builds from ARGV[1] (the record prefix), so it needs one Redis, not a Cluster.
 */
const LATEST = `
local out = {}
for i, key in ipairs(KEYS) do
  out[i] = ''
  local ids = redis.call('LRANGE', key, 0, -1)
  for j = #ids, 1, -1 do
    local raw = redis.call('GET', ARGV[1] .. ids[j])
    if raw then
      out[i] = raw
      break
    end
  end
end
return out
`;

type Scripted = Redis & {
  gwResendClaim(req: string, rec: string, msg: string, of: string, recPrefix: string, id: string, json: string, windowMs: number, retentionMs: number): Promise<[number, string]>;
  gwResendMark(rec: string): Promise<number>;
  gwResendLatest(numberOfKeys: number, ...keysThenRecPrefix: string[]): Promise<string[]>;
};

export function createRedisResendStore(redis: Redis, prefix: string): ResendStore {
  redis.defineCommand('gwResendClaim', { numberOfKeys: 4, lua: CLAIM });
  redis.defineCommand('gwResendMark', { numberOfKeys: 1, lua: MARK });
  redis.defineCommand('gwResendLatest', { lua: LATEST });
  const r = redis as Scripted;
  const recPrefix = `${prefix}resend:`;
  const k = {
    req: (originalId: string, requestKey: string) => `${prefix}resend-req:${originalId}:${requestKey}`,
    rec: (id: string) => `${recPrefix}${id}`,
    msg: (messageId: string) => `${prefix}resend-msg:${messageId}`,
    of: (originalId: string) => `${prefix}resend-of:${originalId}`,
  };
  const get = async (id: string) => {
    const raw = await redis.get(k.rec(id));
    return raw ? (JSON.parse(raw) as ResendRecord) : undefined;
  };
  return {
    async claim(record, windowMs) {
      const [created, json] = await r.gwResendClaim(k.req(record.originalId, record.requestKey), k.rec(record.resendId), k.msg(record.messageId), k.of(record.originalId), recPrefix, record.resendId, JSON.stringify(record), windowMs, RETENTION_MS);
      // A window key whose record expired (longer window than retention) counts as no resend.
      if (created === 0 && json === '') return { record, created: false };
      return { record: JSON.parse(json) as ResendRecord, created: created === 1 };
    },
    async markPublished(resendId) {
      await r.gwResendMark(k.rec(resendId));
    },
    get,
    async byMessage(messageId) {
      const id = await redis.get(k.msg(messageId));
      return id ? get(id) : undefined;
    },
    async resendsOf(originalId) {
      const ids = await redis.lrange(k.of(originalId), 0, -1);
      if (ids.length === 0) return [];
      const raws = await redis.mget(ids.map(k.rec));
      return raws.filter((x): x is string => x !== null).map((x) => JSON.parse(x) as ResendRecord);
    },
    async latestOf(originalIds) {
      const latest = new Map<string, ResendRecord>();
      if (originalIds.length === 0) return latest;
      // One round trip for a whole page, however many originals it has.
      const raws = await r.gwResendLatest(originalIds.length, ...originalIds.map(k.of), recPrefix);
      originalIds.forEach((id, i) => {
        const raw = raws[i];
        if (raw) latest.set(id, JSON.parse(raw) as ResendRecord);
      });
      return latest;
    },
  };
}

export function createMemoryResendStore(options: { now?: () => number } = {}): ResendStore {
  const now = options.now ?? Date.now;
  const requests = new Map<string, { resendId: string; until: number }>();
  const records = new Map<string, ResendRecord>();
  const byMessage = new Map<string, string>();
  const of = new Map<string, string[]>();
  const copy = (x: ResendRecord | undefined) => (x ? structuredClone(x) : undefined);
  return {
    async claim(record, windowMs) {
      const key = `${record.originalId}\n${record.requestKey}`;
      const existing = requests.get(key);
      if (existing && existing.until > now()) {
        const found = records.get(existing.resendId);
        return { record: structuredClone(found ?? record), created: false };
      }
      requests.set(key, { resendId: record.resendId, until: now() + windowMs });
      records.set(record.resendId, structuredClone(record));
      byMessage.set(record.messageId, record.resendId);
      of.set(record.originalId, [...(of.get(record.originalId) ?? []), record.resendId]);
      return { record: structuredClone(record), created: true };
    },
    async markPublished(resendId) {
      const found = records.get(resendId);
      if (found) found.published = true;
    },
    async get(id) {
      return copy(records.get(id));
    },
    async byMessage(messageId) {
      const id = byMessage.get(messageId);
      return id ? copy(records.get(id)) : undefined;
    },
    async resendsOf(originalId) {
      return (of.get(originalId) ?? []).map((id) => records.get(id)).filter((x): x is ResendRecord => !!x).map((x) => structuredClone(x));
    },
    async latestOf(originalIds) {
      const latest = new Map<string, ResendRecord>();
      for (const originalId of originalIds) {
        const last = (of.get(originalId) ?? []).map((id) => records.get(id)).findLast((x): x is ResendRecord => !!x);
        if (last) latest.set(originalId, structuredClone(last));
      }
      return latest;
    },
  };
}
