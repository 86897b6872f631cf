import { ATTENDANCE_ANSWERS, type AttendanceAnswer, type AttendanceAnswered } from '@gateway/contracts';
import type { MeetingSummary } from '@gateway/attendance';

export type AttendanceState = AttendanceAnswer | 'pending';

export interface AttendanceReport {
  source: string;
  meetingId: string;
  title: string;
  start: string;
  cancelled: boolean;
  total: number;
  /** Per answer; `pending` (chưa xác nhận) counts invitees without one. */
  counts: Record<AttendanceState, number>;
  people: Array<{
    personId: string;
    name: string;
    title?: string;
    unit?: string;
    answer: AttendanceState;
    at?: string;
    channel?: AttendanceAnswered['channel'];
    reason?: string;
    delegate?: AttendanceAnswered['delegate'];
  }>;
}

/**
 * Every invitee of the latest version, with their latest answer. An answer from someone no longer
 * invited (taken off the list by a change) is left out: the report is about the current meeting.
 */
export function attendanceReport(meeting: MeetingSummary, answers: readonly AttendanceAnswered[]): AttendanceReport {
  const byPerson = new Map(answers.map((a) => [a.personId, a]));
  const counts = Object.fromEntries([...ATTENDANCE_ANSWERS, 'pending'].map((k) => [k, 0])) as Record<AttendanceState, number>;
  const people: AttendanceReport['people'] = meeting.invitees.map((invitee) => {
    const answer = byPerson.get(invitee.personId);
    counts[answer?.answer ?? 'pending'] += 1;
    return {
      personId: invitee.personId,
      name: invitee.name,
      ...(invitee.title !== undefined ? { title: invitee.title } : {}),
      ...(invitee.unit !== undefined ? { unit: invitee.unit } : {}),
      answer: answer?.answer ?? 'pending',
      ...(answer !== undefined ? { at: answer.at, channel: answer.channel } : {}),
      ...(answer?.reason !== undefined ? { reason: answer.reason } : {}),
      ...(answer?.delegate !== undefined ? { delegate: answer.delegate } : {}),
    };
  });
  return { source: meeting.source, meetingId: meeting.meetingId, title: meeting.title, start: meeting.start, cancelled: meeting.cancelled, total: people.length, counts, people };
}
