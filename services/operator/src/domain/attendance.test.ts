import type { AttendanceAnswered } from '@gateway/contracts';
import { meetingFixture } from '@gateway/attendance/test/store-conformance';
import { attendanceReport } from './attendance';

const answer = (personId: string, overrides: Partial<AttendanceAnswered> = {}): AttendanceAnswered => ({ type: 'attendance.answered', source: 'vpthanhuy-danang', meetingId: 'hop-1', personId, answer: 'attending', channel: 'link', at: '2025-09-28T01:00:00.000Z', ...overrides });

describe('attendanceReport', () => {
  it('when some invitees answered, then the others count as pending and each person shows their answer', () => {
    const meeting = meetingFixture({ invitees: [{ personId: 'p1', name: 'A' }, { personId: 'p2', name: 'B' }, { personId: 'p3', name: 'C' }] });
    const report = attendanceReport(meeting, [answer('p1'), answer('p2', { answer: 'delegate', delegate: { name: 'D', phone: '+84905123456' } })]);
    expect(report.counts).toEqual({ attending: 1, absent: 0, delegate: 1, pending: 1 });
    expect(report.total).toBe(3);
    expect(report.people.map((p) => p.answer)).toEqual(['attending', 'delegate', 'pending']);
    expect(report.people[1]).toMatchObject({ channel: 'link', at: '2025-09-28T01:00:00.000Z', delegate: { name: 'D' } });
    expect(report.people[2]).toEqual({ personId: 'p3', name: 'C', answer: 'pending' });
  });

  it('when someone no longer invited had answered, then the report leaves them out', () => {
    const meeting = meetingFixture({ invitees: [{ personId: 'p1', name: 'A' }] });
    const report = attendanceReport(meeting, [answer('p9', { answer: 'absent', reason: 'Ốm' })]);
    expect(report.counts).toEqual({ attending: 0, absent: 0, delegate: 0, pending: 1 });
  });
});
