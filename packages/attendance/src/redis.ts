import type { Redis } from 'ioredis';
import { attendanceAnsweredSchema, type AttendanceAnswered } from '@gateway/contracts';
import { checkExec, LuaScript } from '@gateway/common';
import { ANSWER_RETENTION_MS, EXPIRED_LINK_RETENTION_MS, linkRecordSchema, meetingSummarySchema, type LinkRecord, type MeetingSummary } from './model';
import type { AttendanceAnswerStore, AttendanceLinkStore, AttendanceStores } from './port';

export interface RedisAttendanceOptions {
  /** Key prefix, e.g. `gw:`; the stores add `att:`. */
  prefix: string;
}

/** Sources have no colon (contracts' source pattern), so `<source>:<meetingId>` is unambiguous. */
export function attendanceKeys(prefix: string) {
  const base = `${prefix}att:`;
  return {
    meeting: (source: string, meetingId: string) => `${base}m:${source}:${meetingId}`,
    link: (code: string) => `${base}x:${code}`,
    answers: (source: string, meetingId: string) => `${base}a:${source}:${meetingId}`,
  };
}

// Fields: v (version), d (the summary's JSON). A lower version is refused.
const SAVE_MEETING = new LuaScript(
  `local v = redis.call('HGET', KEYS[1], 'v')
if v and tonumber(v) > tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'd', ARGV[2])
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
return 1`,
  1,
);

// Fields per person: t:<id> (answer time, ms) and d:<id> (the answer's JSON). An earlier answer is refused.
const RECORD_ANSWER = new LuaScript(
  `local t = redis.call('HGET', KEYS[1], 't:' .. ARGV[1])
if t and tonumber(t) > tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 't:' .. ARGV[1], ARGV[2], 'd:' .. ARGV[1], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1`,
  1,
);

/** What is read back is parsed: another version of the code may have written it. */
function parsed<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, raw: string | null | undefined): T | undefined {
  if (raw === null || raw === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const result = schema.safeParse(value);
  return result.success ? result.data : undefined;
}

export function createRedisLinkStore(redis: Redis, options: RedisAttendanceOptions): AttendanceLinkStore {
  const keys = attendanceKeys(options.prefix);
  return {
    async saveMeeting(meeting: MeetingSummary, links: readonly LinkRecord[]) {
      const keepUntil = Date.parse(meeting.expiresAt) + EXPIRED_LINK_RETENTION_MS;
      const saved = await SAVE_MEETING.run(redis, [keys.meeting(meeting.source, meeting.meetingId)], [meeting.version, JSON.stringify(meeting), keepUntil]);
      if (saved !== 1) return false;
      if (links.length > 0) {
        const multi = redis.multi();
        for (const link of links) multi.set(keys.link(link.code), JSON.stringify(link), 'PXAT', Date.parse(link.expiresAt) + EXPIRED_LINK_RETENTION_MS);
        checkExec(await multi.exec());
      }
      return true;
    },
    async link(code) {
      return parsed(linkRecordSchema, await redis.get(keys.link(code)));
    },
    async meeting(source, meetingId) {
      return parsed(meetingSummarySchema, await redis.hget(keys.meeting(source, meetingId), 'd'));
    },
  };
}

export function createRedisAnswerStore(redis: Redis, options: RedisAttendanceOptions): AttendanceAnswerStore {
  const keys = attendanceKeys(options.prefix);
  return {
    async record(answer: AttendanceAnswered) {
      const saved = await RECORD_ANSWER.run(redis, [keys.answers(answer.source, answer.meetingId)], [answer.personId, Date.parse(answer.at), JSON.stringify(answer), ANSWER_RETENTION_MS]);
      return saved === 1;
    },
    async answers(source, meetingId) {
      const all = await redis.hgetall(keys.answers(source, meetingId));
      const out: AttendanceAnswered[] = [];
      for (const [field, raw] of Object.entries(all)) {
        if (!field.startsWith('d:')) continue;
        const answer = parsed(attendanceAnsweredSchema, raw);
        if (answer !== undefined) out.push(answer);
      }
      return out;
    },
    async answerOf(source, meetingId, personId) {
      return parsed(attendanceAnsweredSchema, await redis.hget(keys.answers(source, meetingId), `d:${personId}`));
    },
  };
}

export function createRedisAttendanceStores(redis: Redis, options: RedisAttendanceOptions): AttendanceStores {
  return { links: createRedisLinkStore(redis, options), answers: createRedisAnswerStore(redis, options) };
}
