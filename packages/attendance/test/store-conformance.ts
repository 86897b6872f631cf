import type { AttendanceAnswered } from '@gateway/contracts';
import { linkCode, meetingExpiry, type AttendanceStores, type LinkRecord, type MeetingSummary } from '../src';

const SECRET = 'conformance-secret-conformance-secret';

export function meetingFixture(overrides: Partial<MeetingSummary> = {}): MeetingSummary {
  // A meeting to come: the Redis adapter lets a long-past meeting's keys expire at once.
  const start = new Date(Math.ceil(Date.now() / 3600_000) * 3600_000 + 7 * 24 * 3600_000).toISOString();
  return {
    source: 'vpthanhuy-danang',
    meetingId: 'hop-1',
    version: 0,
    title: 'Hội nghị Ban Chấp hành',
    start,
    timeText: '08 giờ 00, Thứ Hai, ngày 29/9/2025',
    cancelled: false,
    confirmationRequired: true,
    expiresAt: meetingExpiry(start, undefined),
    invitees: [{ personId: 'p1', name: 'Nguyễn Văn A' }, { personId: 'p2', name: 'Trần Thị B', title: 'Phó Chánh Văn phòng' }],
    ...overrides,
  };
}

export function linkFor(meeting: MeetingSummary, personId: string): LinkRecord {
  return { code: linkCode(SECRET, { source: meeting.source, meetingId: meeting.meetingId, personId }), source: meeting.source, meetingId: meeting.meetingId, personId, expiresAt: meeting.expiresAt };
}

function answer(overrides: Partial<AttendanceAnswered> = {}): AttendanceAnswered {
  return { type: 'attendance.answered', source: 'vpthanhuy-danang', meetingId: 'hop-1', personId: 'p1', answer: 'attending', channel: 'link', at: '2025-09-28T01:00:00.000Z', ...overrides };
}

/** One suite for every adapter of the attendance ports; `stores()` gives fresh, isolated stores. */
export function describeAttendanceStoreConformance(name: string, stores: () => AttendanceStores): void {
  describe(`attendance stores (${name})`, () => {
    it('when a meeting is saved with its links, then each code reads back its person and the meeting its summary', async () => {
      const { links } = stores();
      const meeting = meetingFixture();
      expect(await links.saveMeeting(meeting, [linkFor(meeting, 'p1'), linkFor(meeting, 'p2')])).toBe(true);
      expect(await links.link(linkFor(meeting, 'p2').code)).toEqual(linkFor(meeting, 'p2'));
      expect(await links.meeting(meeting.source, meeting.meetingId)).toEqual(meeting);
      expect(await links.link('000000000000')).toBeUndefined();
      expect(await links.meeting(meeting.source, 'hop-khac')).toBeUndefined();
    });

    it('when an older version arrives after a newer one, then the newer one stays; an equal one replaces', async () => {
      const { links } = stores();
      await links.saveMeeting(meetingFixture({ version: 2, location: 'Phòng họp số 2' }), []);
      expect(await links.saveMeeting(meetingFixture({ version: 1, location: 'Phòng họp số 1' }), [])).toBe(false);
      expect((await links.meeting('vpthanhuy-danang', 'hop-1'))?.location).toBe('Phòng họp số 2');
      expect(await links.saveMeeting(meetingFixture({ version: 2, cancelled: true }), [])).toBe(true);
      expect((await links.meeting('vpthanhuy-danang', 'hop-1'))?.cancelled).toBe(true);
    });

    it('when answers arrive out of order, then the latest by time wins per person', async () => {
      const { answers } = stores();
      expect(await answers.record(answer({ answer: 'absent', reason: 'Đi công tác', at: '2025-09-28T02:00:00.000Z' }))).toBe(true);
      expect(await answers.record(answer({ at: '2025-09-28T01:00:00.000Z' }))).toBe(false);
      expect(await answers.record(answer({ personId: 'p2', answer: 'delegate', delegate: { name: 'Lê Văn C', phone: '+84905123456' } }))).toBe(true);
      expect((await answers.answerOf('vpthanhuy-danang', 'hop-1', 'p1'))?.answer).toBe('absent');
      const all = await answers.answers('vpthanhuy-danang', 'hop-1');
      expect(all.map((a) => `${a.personId}:${a.answer}`).sort()).toEqual(['p1:absent', 'p2:delegate']);
      expect(all.find((a) => a.personId === 'p2')?.delegate).toEqual({ name: 'Lê Văn C', phone: '+84905123456' });
      expect(await answers.answers('vpthanhuy-danang', 'hop-khac')).toEqual([]);
    });

    it('when a meeting ended long ago, then its links are gone (Redis lets them expire; memory may keep them) or still read back whole', async () => {
      const { links } = stores();
      const meeting = meetingFixture({ start: '2025-09-29T08:00:00+07:00', expiresAt: '2025-09-29T05:00:00.000Z' });
      await links.saveMeeting(meeting, [linkFor(meeting, 'p1')]);
      const read = await links.link(linkFor(meeting, 'p1').code);
      expect(read === undefined || read.personId === 'p1').toBe(true);
    });

    it('when two sources use one meeting id, then their meetings and answers stay apart', async () => {
      const { links, answers } = stores();
      await links.saveMeeting(meetingFixture({ title: 'A' }), []);
      await links.saveMeeting(meetingFixture({ source: 'banto-chuc', title: 'B' }), []);
      await answers.record(answer({ source: 'banto-chuc' }));
      expect((await links.meeting('vpthanhuy-danang', 'hop-1'))?.title).toBe('A');
      expect(await answers.answers('vpthanhuy-danang', 'hop-1')).toEqual([]);
    });
  });
}
