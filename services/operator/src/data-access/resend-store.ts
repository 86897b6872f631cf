import type { Redis } from 'ioredis';
import type { Channel } from '@gateway/contracts';
import { REDIS_CHUNK } from './notification-store';

export interface CorrectedValue {
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
  corrections?: { phone?: CorrectedValue; email?: CorrectedValue };
  /** Where it went: the latest attempt's contact with the corrections (absent in records made before chains). */
  contact?: { phone?: string; email?: string };
  /** Set once the new message was acknowledged by the bus. */
  published: boolean;
}

/**
 * The chain's resend in flight: the one marker per chain that at most one resend holds. `token`
 * names the holder and when it took the marker; a caller that judged the holder settled passes
 * the token to take the marker over, and loses if anyone else took it meanwhile.
 */
export interface InFlight {
  resendId: string;
  takenAt: number;
  token: string;
}

/** Take the chain's in-flight marker if it is free or still `replacing` (a token read before, or null for none). */
export interface TakeInFlight {
  replacing: string | null;
  at: number;
}

export type ClaimOutcome =
  | { kind: 'created'; record: ResendRecord }
  /** The same request again (same original, same request key, within its window): the stored resend. */
  | { kind: 'existing'; record: ResendRecord }
  /** Another resend of the chain holds the in-flight marker: nothing was stored. */
  | { kind: 'busy'; holder: string };

/** Port: resend records, their links to the original, and the window in which a repeat is the same resend. */
export interface ResendStore {
  /**
   * Stores the resend unless the same original already has one with the same request key within
   * its window (answers the stored one), and only if it takes the chain's in-flight marker (else
   * busy). Atomic: two concurrent clicks get one resend, and two jobs, or a job and a click, get
   * one resend in flight per chain.
   */
  claim(record: ResendRecord, windowMs: number, inFlight: TakeInFlight): Promise<ClaimOutcome>;
  /** The chain's in-flight marker, if any (its holder may have settled since; the caller judges). */
  inFlight(originalId: string): Promise<InFlight | undefined>;
  /** Takes the marker for an already stored resend (finishing an interrupted one); false when another holds it. */
  takeInFlight(originalId: string, resendId: string, take: TakeInFlight): Promise<boolean>;
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

const inFlightToken = (resendId: string, at: number) => `${resendId} ${at}`;

function parseInFlight(token: string | null | undefined): InFlight | undefined {
  if (!token) return undefined;
  const [resendId = '', at = ''] = token.split(' ');
  return { resendId, takenAt: Number(at), token };
}

// KEYS[5] is the chain's in-flight marker: taken here, in the same script as the request key, so
// no check-then-claim gap lets a second resend of the chain through.
const CLAIM = `
local existing = redis.call('GET', KEYS[1])
if existing then
  return { 0, redis.call('GET', ARGV[1] .. existing) or '' }
end
local holder = redis.call('GET', KEYS[5])
if holder and holder ~= ARGV[6] then return { 2, holder } end
redis.call('SET', KEYS[5], ARGV[7], 'PX', ARGV[5])
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[4])
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[5])
redis.call('SET', KEYS[3], ARGV[2], 'PX', ARGV[5])
redis.call('RPUSH', KEYS[4], ARGV[2])
redis.call('PEXPIRE', KEYS[4], ARGV[5])
return { 1, ARGV[3] }
`;

const TAKE = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
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
  gwResendClaim(req: string, rec: string, msg: string, of: string, inFlight: string, recPrefix: string, id: string, json: string, windowMs: number, retentionMs: number, replacing: string, token: string): Promise<[number, string]>;
  gwResendTake(inFlight: string, replacing: string, token: string, retentionMs: number): Promise<number>;
  gwResendMark(rec: string): Promise<number>;
  gwResendLatest(numberOfKeys: number, ...keysThenRecPrefix: string[]): Promise<string[]>;
};

export function createRedisResendStore(redis: Redis, prefix: string): ResendStore {
  redis.defineCommand('gwResendClaim', { numberOfKeys: 5, lua: CLAIM });
  redis.defineCommand('gwResendTake', { numberOfKeys: 1, lua: TAKE });
  redis.defineCommand('gwResendMark', { numberOfKeys: 1, lua: MARK });
  redis.defineCommand('gwResendLatest', { lua: LATEST });
  const r = redis as Scripted;
  const recPrefix = `${prefix}resend:`;
  const k = {
    req: (originalId: string, requestKey: string) => `${prefix}resend-req:${originalId}:${requestKey}`,
    rec: (id: string) => `${recPrefix}${id}`,
    msg: (messageId: string) => `${prefix}resend-msg:${messageId}`,
    of: (originalId: string) => `${prefix}resend-of:${originalId}`,
    inFlight: (originalId: string) => `${prefix}resend-inflight:${originalId}`,
  };
  const get = async (id: string) => {
    const raw = await redis.get(k.rec(id));
    return raw ? (JSON.parse(raw) as ResendRecord) : undefined;
  };
  return {
    async claim(record, windowMs, take) {
      const [outcome, reply] = await r.gwResendClaim(k.req(record.originalId, record.requestKey), k.rec(record.resendId), k.msg(record.messageId), k.of(record.originalId), k.inFlight(record.originalId), recPrefix, record.resendId, JSON.stringify(record), windowMs, RETENTION_MS, take.replacing ?? '', inFlightToken(record.resendId, take.at));
      if (outcome === 2) return { kind: 'busy', holder: reply };
      // A window key whose record expired (longer window than retention) counts as no resend.
      if (outcome === 0 && reply === '') return { kind: 'existing', record };
      return { kind: outcome === 1 ? 'created' : 'existing', record: JSON.parse(reply) as ResendRecord };
    },
    async inFlight(originalId) {
      return parseInFlight(await redis.get(k.inFlight(originalId)));
    },
    async takeInFlight(originalId, resendId, take) {
      return (await r.gwResendTake(k.inFlight(originalId), take.replacing ?? '', inFlightToken(resendId, take.at), RETENTION_MS)) === 1;
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
      // One round trip per chunk: a whole event's chains in one script would block Redis for every
      // service while it runs (and spreading them all as arguments overflows the stack).
      for (let start = 0; start < originalIds.length; start += REDIS_CHUNK) {
        const chunk = originalIds.slice(start, start + REDIS_CHUNK);
        const raws = await r.gwResendLatest(chunk.length, ...chunk.map(k.of), recPrefix);
        chunk.forEach((id, i) => {
          const raw = raws[i];
          if (raw) latest.set(id, JSON.parse(raw) as ResendRecord);
        });
      }
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
  const inFlight = new Map<string, string>();
  const copy = (x: ResendRecord | undefined) => (x ? structuredClone(x) : undefined);
  /** The Redis scripts' rule: the marker is free, or still the one the caller read. */
  const take = (originalId: string, resendId: string, t: TakeInFlight): boolean => {
    const holder = inFlight.get(originalId);
    if (holder !== undefined && holder !== t.replacing) return false;
    inFlight.set(originalId, inFlightToken(resendId, t.at));
    return true;
  };
  return {
    async claim(record, windowMs, t) {
      const key = `${record.originalId}\n${record.requestKey}`;
      const existing = requests.get(key);
      if (existing && existing.until > now()) {
        const found = records.get(existing.resendId);
        return { kind: 'existing', record: structuredClone(found ?? record) };
      }
      if (!take(record.originalId, record.resendId, t)) return { kind: 'busy', holder: inFlight.get(record.originalId) ?? '' };
      requests.set(key, { resendId: record.resendId, until: now() + windowMs });
      records.set(record.resendId, structuredClone(record));
      byMessage.set(record.messageId, record.resendId);
      of.set(record.originalId, [...(of.get(record.originalId) ?? []), record.resendId]);
      return { kind: 'created', record: structuredClone(record) };
    },
    async inFlight(originalId) {
      return parseInFlight(inFlight.get(originalId));
    },
    async takeInFlight(originalId, resendId, t) {
      return take(originalId, resendId, t);
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
