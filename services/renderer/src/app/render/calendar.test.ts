import { sync as ical, type VEvent } from 'node-ical';
import type { EmailMessage, GatewayEvent } from '@gateway/contracts';
import { buildMeetingCalendar } from '../../adapters/calendar';
import { prepareEventCalendar, type EventCalendarInput } from './calendar-part';
import { isSkipped } from './render';
import { AGENCY, contextFor, person, realRenderer, variant } from '../../../test/render-support';

/** The iCalendar part of meeting emails, read back with a real parser (node-ical). */

const scheduled = variant('meeting-scheduled-hoi-nghi-bch', () => undefined);
const updated = variant('meeting-scheduled-hoi-nghi-bch', (data, event) => {
  event.type = 'meeting.updated';
  event.id = 'vptu-lichhop-2025-0512-2';
  event.occurredAt = '2025-09-26T09:00:00+07:00';
  data.start = '2025-09-29T14:00:00+07:00';
  data.end = '2025-09-29T17:00:00+07:00';
  data.reason = 'Điều chỉnh thời gian để các điểm cầu phường, xã kịp chuẩn bị.';
  data.previous = { start: '2025-09-29T08:00:00+07:00', end: '2025-09-29T11:30:00+07:00' };
});
const cancelled = variant('meeting-scheduled-hoi-nghi-bch', (data, event) => {
  event.type = 'meeting.cancelled';
  event.id = 'vptu-lichhop-2025-0512-3';
  event.occurredAt = '2025-09-27T10:00:00+07:00';
  data.reason = 'Lùi hội nghị do ảnh hưởng của bão số 10.';
});

const attendee = person(scheduled, 'nguyen-van-an');

function emailOf(event: GatewayEvent, sequence: number): EmailMessage {
  const [result] = realRenderer().renderMessages(event, attendee, ['email'], contextFor(event, attendee, sequence));
  if (result === undefined || isSkipped(result) || result.channel !== 'email') throw new Error('expected an email');
  return result;
}

function parseCalendar(ics: string): { event: VEvent; method: string | undefined } {
  const parsed = ical.parseICS(ics);
  const events = Object.values(parsed).filter((c): c is VEvent => c?.type === 'VEVENT');
  expect(events).toHaveLength(1);
  // node-ical keeps calendar-level properties on a "vcalendar" entry; read METHOD from the text as well.
  const method = /^METHOD:([A-Z]+)\r$/m.exec(ics)?.[1];
  return { event: events[0] as VEvent, method };
}

function attendeesOf(event: VEvent): Array<{ val: string; params?: Record<string, unknown> }> {
  const raw = (event as unknown as { attendee?: unknown }).attendee;
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return list as Array<{ val: string; params?: Record<string, unknown> }>;
}

describe('meeting calendar part', () => {
  const steps = [
    { name: 'scheduled', event: scheduled, sequence: 0, method: 'REQUEST', status: 'CONFIRMED' },
    { name: 'updated', event: updated, sequence: 1, method: 'REQUEST', status: 'CONFIRMED' },
    { name: 'cancelled', event: cancelled, sequence: 2, method: 'CANCEL', status: 'CANCELLED' },
  ] as const;

  test('when a meeting is scheduled, updated and cancelled, then all three calendars share one UID and SEQUENCE rises as passed', () => {
    const parsedSteps = steps.map((step) => ({ step, email: emailOf(step.event, step.sequence) }));
    const uids = parsedSteps.map(({ email }) => parseCalendar(email.calendar?.ics ?? '').event.uid);
    expect(new Set(uids)).toEqual(new Set(['meeting-vptu-hop-2025-0512@lichhop.danang.gov.vn']));
    expect(parsedSteps.map(({ email }) => Number(parseCalendar(email.calendar?.ics ?? '').event.sequence))).toEqual([0, 1, 2]);
    expect(parsedSteps.map(({ email }) => email.calendar?.uid)).toEqual(uids);
    expect(parsedSteps.map(({ email }) => email.calendar?.sequence)).toEqual([0, 1, 2]);
  });

  test.each(steps)('when the meeting is $name, then METHOD is $method and STATUS is $status', ({ event, sequence, method, status }) => {
    const email = emailOf(event, sequence);
    const parsed = parseCalendar(email.calendar?.ics ?? '');
    expect(parsed.method).toBe(method);
    expect(email.calendar?.method).toBe(method);
    expect(parsed.event.status).toBe(status);
  });

  test('when a calendar is parsed back, then times are the meeting times in UTC and DTSTAMP is when the change occurred', () => {
    const email = emailOf(updated, 1);
    const ics = email.calendar?.ics ?? '';
    const { event } = parseCalendar(ics);
    expect(event.start.toISOString()).toBe('2025-09-29T07:00:00.000Z');
    expect(event.end?.toISOString()).toBe('2025-09-29T10:00:00.000Z');
    expect(ics).toMatch(/^DTSTART:20250929T070000Z\r$/m);
    expect(ics).toMatch(/^DTSTAMP:20250926T020000Z\r$/m);
  });

  test('when a mass invitation is rendered, then each calendar lists only its own recipient as attendee and the agency as organizer', () => {
    const email = emailOf(scheduled, 0);
    const { event } = parseCalendar(email.calendar?.ics ?? '');
    const attendees = attendeesOf(event);
    expect(attendees).toHaveLength(1);
    expect(attendees[0]?.val).toBe('mailto:nvan@danang.gov.vn');
    expect(attendees[0]?.params?.CN).toBe('Nguyễn Văn An');
    // The example requires confirmation; without inbound mail the answer goes by the personal link.
    expect(String(attendees[0]?.params?.RSVP).toUpperCase()).toBe('FALSE');
    const organizer = (event as unknown as { organizer: { val: string; params: { CN: string } } }).organizer;
    expect(organizer.val.toLowerCase()).toBe(`mailto:${AGENCY.emailFrom}`);
    expect(organizer.params.CN).toBe(AGENCY.name);
  });

  test('when the same event is rendered twice by fresh renderers, then the calendar bytes are identical', () => {
    expect(emailOf(scheduled, 0).calendar?.ics).toBe(emailOf(scheduled, 0).calendar?.ics);
  });

  test('when no sequence is tracked, then an invitation gets 0 and a change or cancellation 1', () => {
    const renderer = realRenderer();
    expect(renderer.prepareEvent(scheduled).calendar?.sequence).toBe(0);
    expect(renderer.prepareEvent(updated).calendar?.sequence).toBe(1);
    expect(renderer.prepareEvent(cancelled).calendar?.sequence).toBe(1);
  });
});

describe('prepareEventCalendar', () => {
  const base: EventCalendarInput = {
    uid: 'meeting-x@lichhop.danang.gov.vn',
    sequence: 3,
    method: 'REQUEST',
    title: 'Hội nghị triển khai Nghị quyết; "đợt 2", năm 2025',
    description: 'Nội dung:\n1. Quán triệt\n2. Thảo luận',
    location: 'Hội trường A; điểm cầu 56/56 xã, phường',
    url: 'https://hop.danang.gov.vn/m/1',
    start: '2025-09-29T08:00:00+07:00',
    end: '2025-09-29T11:30:00+07:00',
    organizer: { name: 'Văn phòng Thành ủy Đà Nẵng', email: 'thongbao@danang.gov.vn' },
    stamp: '2025-09-25T15:30:00+07:00',
    rsvp: true,
  };

  const people = [
    { name: 'Nguyễn Văn An', email: 'nvan@danang.gov.vn' },
    { name: 'Tôn Nữ Thị Huyền Trang Phương Thảo Ngọc Diễm Quỳnh Như Ý', email: 'tnthtpt.ngocdiemquynhnhuy@danang.gov.vn' },
    { name: 'Nguye\u0302\u0303n Thi\u0323 Đoan', email: 'ntdoan@danang.gov.vn' },
    { name: 'Đặng "Út" Khoa', email: 'dvkhoa@danang.gov.vn' },
    { name: 'Lê Văn; Bình: Phó Chánh Văn phòng', email: 'lvbinh@danang.gov.vn' },
    { name: '  Trần Văn Cường  ', email: 'tvcuong@danang.gov.vn' },
    { name: "O'Neil Nguyễn (Tổ công tác)", email: 'o.neil+hop@sub.danang.gov.vn' },
  ];

  test.each([
    ['REQUEST', true],
    ['REQUEST', false],
    ['CANCEL', false],
  ] as const)('when an attendee is swapped into the shared %s calendar (rsvp %s), then the bytes equal a calendar built for that attendee alone', (method, rsvp) => {
    const calendar = prepareEventCalendar({ ...base, method, rsvp });
    for (const attendee of people) {
      const expected = buildMeetingCalendar({ ...base, method, attendees: [{ ...attendee, rsvp }] });
      expect(calendar.forAttendee(attendee)).toBe(expected);
    }
  });
});
