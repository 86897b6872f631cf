import type { Redis } from 'ioredis';

/**
 * Port: the calendar SEQUENCE of each meeting. The first event seen for a meeting gets 0 and each
 * later one the next number; asking again for an event already seen returns its number, so a
 * replayed event never raises the sequence twice. Events of one meeting arrive in order (one
 * partition), so the numbers follow the order of changes.
 */
export interface SequenceStore {
  sequenceFor(meetingId: string, eventId: string): Promise<number>;
}

const SEQUENCE = `
local known = redis.call('HGET', KEYS[1], ARGV[1])
if known then return tonumber(known) end
local n = redis.call('HINCRBY', KEYS[1], '#next', 1) - 1
redis.call('HSET', KEYS[1], ARGV[1], n)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return n
`;

export function createRedisSequenceStore(redis: Redis, options: { prefix: string; retentionMs?: number }): SequenceStore {
  redis.defineCommand('gwMeetingSequence', { numberOfKeys: 1, lua: SEQUENCE });
  const r = redis as Redis & { gwMeetingSequence(key: string, eventId: string, ttl: number): Promise<number> };
  // A meeting's calendar entry lives on in people's calendars; keep its counter for over a year.
  const ttl = options.retentionMs ?? 400 * 24 * 3600 * 1000;
  return {
    sequenceFor: (meetingId, eventId) => r.gwMeetingSequence(`${options.prefix}ics-seq:${meetingId}`, eventId, ttl),
  };
}

export function createMemorySequenceStore(): SequenceStore {
  const meetings = new Map<string, Map<string, number>>();
  return {
    async sequenceFor(meetingId, eventId) {
      const seen = meetings.get(meetingId) ?? new Map<string, number>();
      meetings.set(meetingId, seen);
      const known = seen.get(eventId);
      if (known !== undefined) return known;
      seen.set(eventId, seen.size);
      return seen.size - 1;
    },
  };
}
