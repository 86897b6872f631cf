import type { Redis } from 'ioredis';
import { subjectLatestSchema, type EventType, type SubjectLatest, type SubjectRef } from '@gateway/contracts';

/** A meeting or document of one sender, without the version a message carries. */
export type SubjectKey = Pick<SubjectRef, 'kind' | 'source' | 'id'>;

/** What the channel workers read right before a send: the subject's latest known state. */
export interface SubjectVersionReader {
  /** Undefined when nothing is known (or what is stored no longer parses): the message is then sent. */
  latest(subject: SubjectKey): Promise<SubjectLatest | undefined>;
}

/**
 * The latest version of each meeting and document: the renderer writes it before it publishes an
 * event's messages, the workers read it. Shared data between two services, so it lives here with
 * the other per-delivery state the workers consult.
 */
export interface SubjectVersions extends SubjectVersionReader {
  /** Raises a meeting's version; never lowers it, so a replayed older event changes nothing. */
  raise(subject: SubjectKey, version: number): Promise<void>;
  /** A document recalled (true), or dispatched again under the same id (false). */
  setRecalled(subject: SubjectKey, recalled: boolean): Promise<void>;
}

export const SUPERSEDED_REASON: Readonly<Record<SubjectKey['kind'], string>> = {
  meeting: 'Đã có thông báo mới hơn cho cuộc họp này',
  document: 'Văn bản đã bị thu hồi',
};

/**
 * Why a message must not be sent any more, or undefined: a meeting message rendered for an older
 * SEQUENCE than the latest, or a document alert whose document was recalled since (the recall
 * notice itself still goes). A message without a subject (older producers) is never superseded,
 * nor an operator's resend: the operator asked for that one explicitly, and the person it was
 * corrected for may be on no newer message at all.
 */
export function supersededReason(message: { eventType: EventType; about?: SubjectRef | undefined; resendOf?: string | undefined }, latest: SubjectLatest | undefined): string | undefined {
  const subject = message.about;
  if (subject === undefined || latest === undefined || message.resendOf !== undefined) return undefined;
  if (subject.kind === 'meeting') {
    const stale = subject.version !== undefined && latest.version !== undefined && subject.version < latest.version;
    return stale ? SUPERSEDED_REASON.meeting : undefined;
  }
  return message.eventType === 'document.dispatched' && latest.recalled === true ? SUPERSEDED_REASON.document : undefined;
}

// Ids and sources never hold "/" (contracts' patterns), so no two subjects share a key.
const keyOf = (prefix: string, s: SubjectKey): string => `${prefix}subject:${s.kind}:${s.source}/${s.id}`;

function parseLatest(raw: string | null | undefined): SubjectLatest | undefined {
  if (raw === null || raw === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const parsed = subjectLatestSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/** ARGV: value, field ('version' raises, 'recalled' sets '1' / '0'), ttl ms. */
const UPDATE = `
local latest = {}
local cur = redis.call('GET', KEYS[1])
if cur then
  local ok, decoded = pcall(cjson.decode, cur)
  if ok and type(decoded) == 'table' then latest = decoded end
end
if ARGV[2] == 'version' then
  local v = tonumber(ARGV[1])
  if type(latest.version) == 'number' and latest.version >= v then
    redis.call('PEXPIRE', KEYS[1], ARGV[3])
    return 0
  end
  latest.version = v
else
  latest.recalled = ARGV[1] == '1'
end
redis.call('SET', KEYS[1], cjson.encode(latest), 'PX', ARGV[3])
return 1
`;

export interface SubjectVersionsOptions {
  prefix: string;
  /** A meeting stays in people's calendars and a document on record: kept for over a year by default. */
  retentionMs?: number;
}

export function createRedisSubjectVersions(redis: Redis, options: SubjectVersionsOptions): SubjectVersions {
  redis.defineCommand('gwSubjectUpdate', { numberOfKeys: 1, lua: UPDATE });
  const r = redis as Redis & { gwSubjectUpdate(key: string, value: string, field: string, ttl: number): Promise<number> };
  const ttl = options.retentionMs ?? 400 * 24 * 3600 * 1000;
  return {
    async raise(subject, version) {
      if (!Number.isInteger(version) || version < 0) throw new RangeError(`a version is a non-negative integer, got ${version}`);
      await r.gwSubjectUpdate(keyOf(options.prefix, subject), String(version), 'version', ttl);
    },
    async setRecalled(subject, recalled) {
      await r.gwSubjectUpdate(keyOf(options.prefix, subject), recalled ? '1' : '0', 'recalled', ttl);
    },
    async latest(subject) {
      return parseLatest(await redis.get(keyOf(options.prefix, subject)));
    },
  };
}

/** The embedded mode's store: one per process, shared by its renderer and workers. Kept as the JSON Redis would hold. */
export function createMemorySubjectVersions(): SubjectVersions {
  const stored = new Map<string, string>();
  const update = (subject: SubjectKey, change: (latest: SubjectLatest) => SubjectLatest | undefined): void => {
    const key = keyOf('', subject);
    const next = change(parseLatest(stored.get(key)) ?? {});
    if (next) stored.set(key, JSON.stringify(next));
  };
  return {
    async raise(subject, version) {
      if (!Number.isInteger(version) || version < 0) throw new RangeError(`a version is a non-negative integer, got ${version}`);
      update(subject, (latest) => (latest.version !== undefined && latest.version >= version ? undefined : { ...latest, version }));
    },
    async setRecalled(subject, recalled) {
      update(subject, (latest) => ({ ...latest, recalled }));
    },
    async latest(subject) {
      return parseLatest(stored.get(keyOf('', subject)));
    },
  };
}
