import type { Redis } from 'ioredis';

/** A meeting as its sender names it: two senders may both have a meeting "H-2025-001". */
export interface MeetingRef {
  sender: string;
  meetingId: string;
}

export interface MeetingSequence {
  sequence: number;
  /**
   * Whether the sender was the first to use this meeting id (or the meeting's state predates
   * senders): its calendar UID is the plain `meeting-<id>@…` it always was. Any other sender's
   * UID and counter are its own (docs/adr/0003-event-identity.md).
   */
  first: boolean;
}

/**
 * Port: the calendar SEQUENCE of each meeting of each sender. The first event seen for a meeting
 * gets 0 and each later one the next number; asking again for an event already seen returns its
 * number, so a replayed event never raises the sequence twice. Events of one meeting arrive in
 * order (one partition), so the numbers follow the order of changes.
 */
export interface SequenceStore {
  sequenceFor(meeting: MeetingRef, eventId: string): Promise<MeetingSequence>;
}

/**
 * KEYS[1] is the meeting id's own counter (the one every meeting had before senders were told
 * apart), KEYS[2] the sender's. The first sender to ask claims KEYS[1]; a counter left from before
 * the claim existed goes to whoever asks first after the upgrade, which keeps that meeting's UID
 * and SEQUENCE going up in the calendars that already hold it.
 */
const SEQUENCE = `
local key = KEYS[1]
local first = 1
local owner = redis.call('HGET', KEYS[1], '#sender')
if not owner then
  redis.call('HSET', KEYS[1], '#sender', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
elseif owner ~= ARGV[1] then
  key = KEYS[2]
  first = 0
end
local known = redis.call('HGET', key, ARGV[2])
if known then return { tonumber(known), first } end
local n = redis.call('HINCRBY', key, '#next', 1) - 1
redis.call('HSET', key, ARGV[2], n)
redis.call('PEXPIRE', key, ARGV[3])
return { n, first }
`;

export function createRedisSequenceStore(redis: Redis, options: { prefix: string; retentionMs?: number }): SequenceStore {
  redis.defineCommand('gwMeetingSequence', { numberOfKeys: 2, lua: SEQUENCE });
  const r = redis as Redis & { gwMeetingSequence(key: string, senderKey: string, sender: string, eventId: string, ttl: number): Promise<[number, number]> };
  // A meeting's calendar entry lives on in people's calendars; keep its counter for over a year.
  const ttl = options.retentionMs ?? 400 * 24 * 3600 * 1000;
  return {
    async sequenceFor({ sender, meetingId }, eventId) {
      // A meeting id never holds "/" (contracts' id pattern), so the sender's key is never another meeting's.
      const [sequence, first] = await r.gwMeetingSequence(`${options.prefix}ics-seq:${meetingId}`, `${options.prefix}ics-seq:${sender}/${meetingId}`, sender, eventId, ttl);
      return { sequence, first: first === 1 };
    },
  };
}

export function createMemorySequenceStore(): SequenceStore {
  const firstSender = new Map<string, string>();
  const meetings = new Map<string, Map<string, number>>();
  return {
    async sequenceFor({ sender, meetingId }, eventId) {
      const owner = firstSender.get(meetingId) ?? sender;
      firstSender.set(meetingId, owner);
      const first = owner === sender;
      const key = first ? meetingId : `${sender}/${meetingId}`;
      const seen = meetings.get(key) ?? new Map<string, number>();
      meetings.set(key, seen);
      const known = seen.get(eventId);
      if (known !== undefined) return { sequence: known, first };
      seen.set(eventId, seen.size);
      return { sequence: seen.size - 1, first };
    },
  };
}
