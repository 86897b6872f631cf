import type { AttendanceAnswered } from '@gateway/contracts';
import type { LinkRecord, MeetingSummary } from './model';

/** Written by the renderer on every version of a meeting, read by the attendance page and report. */
export interface AttendanceLinkStore {
  /**
   * Keeps this version of the meeting and its links, unless a higher version is stored (then
   * nothing changes and false is returned). An equal version replaces (a re-rendered event).
   */
  saveMeeting(meeting: MeetingSummary, links: readonly LinkRecord[]): Promise<boolean>;
  link(code: string): Promise<LinkRecord | undefined>;
  meeting(source: string, meetingId: string): Promise<MeetingSummary | undefined>;
}

/** The answers per meeting × person, kept by the attendance projection. */
export interface AttendanceAnswerStore {
  /** Keeps the answer unless a later one (by `at`) is stored; an equal `at` replaces (redelivery). */
  record(answer: AttendanceAnswered): Promise<boolean>;
  answers(source: string, meetingId: string): Promise<AttendanceAnswered[]>;
  answerOf(source: string, meetingId: string, personId: string): Promise<AttendanceAnswered | undefined>;
}

export interface AttendanceStores {
  links: AttendanceLinkStore;
  answers: AttendanceAnswerStore;
}
