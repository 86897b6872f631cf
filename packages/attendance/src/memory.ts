import type { AttendanceAnswered } from '@gateway/contracts';
import type { LinkRecord, MeetingSummary } from './model';
import type { AttendanceAnswerStore, AttendanceLinkStore, AttendanceStores } from './port';

const meetingKey = (source: string, meetingId: string) => `${source}\n${meetingId}`;

export function createMemoryLinkStore(): AttendanceLinkStore {
  const meetings = new Map<string, MeetingSummary>();
  const links = new Map<string, LinkRecord>();
  return {
    async saveMeeting(meeting, records) {
      const key = meetingKey(meeting.source, meeting.meetingId);
      const known = meetings.get(key);
      if (known !== undefined && known.version > meeting.version) return false;
      meetings.set(key, structuredClone(meeting));
      for (const record of records) links.set(record.code, { ...record });
      return true;
    },
    async link(code) {
      const record = links.get(code);
      return record === undefined ? undefined : { ...record };
    },
    async meeting(source, meetingId) {
      const known = meetings.get(meetingKey(source, meetingId));
      return known === undefined ? undefined : structuredClone(known);
    },
  };
}

export function createMemoryAnswerStore(): AttendanceAnswerStore {
  const byMeeting = new Map<string, Map<string, AttendanceAnswered>>();
  return {
    async record(answer) {
      const key = meetingKey(answer.source, answer.meetingId);
      let people = byMeeting.get(key);
      if (people === undefined) byMeeting.set(key, (people = new Map()));
      const known = people.get(answer.personId);
      if (known !== undefined && Date.parse(known.at) > Date.parse(answer.at)) return false;
      people.set(answer.personId, structuredClone(answer));
      return true;
    },
    async answers(source, meetingId) {
      return [...(byMeeting.get(meetingKey(source, meetingId))?.values() ?? [])].map((a) => structuredClone(a));
    },
    async answerOf(source, meetingId, personId) {
      const known = byMeeting.get(meetingKey(source, meetingId))?.get(personId);
      return known === undefined ? undefined : structuredClone(known);
    },
  };
}

export function createMemoryAttendanceStores(): AttendanceStores {
  return { links: createMemoryLinkStore(), answers: createMemoryAnswerStore() };
}
