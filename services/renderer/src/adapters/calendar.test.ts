import { createEvent } from 'ics';
import { sync as ical, type VEvent } from 'node-ical';
import { meetingUid } from '../domain';
import { buildMeetingCalendar, type MeetingCalendarInput } from './calendar';

const UID = meetingUid('HOP-2025/0929', 'thanhuy.example.vn');
const TITLE = 'Hội nghị Ban Chấp hành Đảng bộ thành phố lần thứ nhất, nhiệm kỳ 2025–2030; quán triệt Nghị quyết số 18-NQ/TW';

const BASE: MeetingCalendarInput = {
  uid: UID,
  sequence: 0,
  method: 'REQUEST',
  title: TITLE,
  description: 'Nội dung:\n1. Quán triệt Nghị quyết\n2. Thảo luận, cho ý kiến',
  location: 'Hội trường A, Trụ sở Thành ủy; điểm cầu 56/56 xã, phường',
  url: 'https://hop.thanhuy.example.vn/m/0929',
  start: '2025-09-29T08:00:00+07:00',
  end: '2025-09-29T11:30:00+07:00',
  organizer: { name: 'Văn phòng Thành ủy', email: 'vanphong@thanhuy.example.vn' },
  attendees: [
    { name: 'Nguyễn Thị Thu Hà', email: 'ntt.ha@thanhuy.example.vn', rsvp: true },
    { name: 'Trần Đức Ấn', email: 'td.an@thanhuy.example.vn' },
  ],
  stamp: '2025-09-20T02:00:00Z',
};

const CRLF = Buffer.from('\r\n');

/** Physical lines as raw octets, so the checks see what goes over the wire. */
function octetLines(ics: string): Buffer[] {
  const bytes = Buffer.from(ics, 'utf8');
  const lines: Buffer[] = [];
  let from = 0;
  for (let at = bytes.indexOf(CRLF, from); at !== -1; at = bytes.indexOf(CRLF, from)) {
    lines.push(bytes.subarray(from, at));
    from = at + CRLF.length;
  }
  lines.push(bytes.subarray(from));
  return lines;
}

function onlyEvent(ics: string): VEvent {
  const events = Object.values(ical.parseICS(ics)).filter((c): c is VEvent => c?.type === 'VEVENT');
  expect(events).toHaveLength(1);
  return events[0] as VEvent;
}

function unfolded(ics: string): string[] {
  return ics.replace(/\r\n[ \t]/g, '').split('\r\n');
}

describe('meetingUid', () => {
  test('when given a meeting id and a domain, then the UID is meeting-<id>@<domain>', () => {
    expect(meetingUid('4821', 'thanhuy.example.vn')).toBe('meeting-4821@thanhuy.example.vn');
  });

  test('when the id holds characters special in iCalendar TEXT, then they are percent-encoded and the UID stays distinct', () => {
    const uid = meetingUid('HOP;2025,a\\b c/đ%', 'Example.VN');
    expect(uid).toBe('meeting-HOP%3B2025%2Ca%5Cb%20c%2F%C4%91%25@example.vn');
    expect(uid).toMatch(/^[\x21-\x7e]+$/);
    expect(meetingUid('a%2F', 'x.vn')).not.toBe(meetingUid('a/', 'x.vn'));
  });

  test('when another sender used the meeting id first, then its UID is qualified by the sender and differs from every plain one', () => {
    expect(meetingUid('H-2025-001', 'x.vn', 'he-thong-b')).toBe('meeting-he-thong-b/H-2025-001@x.vn');
    expect(meetingUid('H-2025-001', 'x.vn', 'he-thong-b')).not.toBe(meetingUid('H-2025-001', 'x.vn'));
    expect(meetingUid('H-2025-001', 'x.vn', 'he-thong-b')).not.toBe(meetingUid('H-2025-001', 'x.vn', 'he-thong-c'));
    // The encoded id never holds a bare "/", so no plain UID looks like a qualified one.
    expect(meetingUid('he-thong-b/H-2025-001', 'x.vn')).not.toBe(meetingUid('H-2025-001', 'x.vn', 'he-thong-b'));
    expect(() => meetingUid('H', 'x.vn', '')).toThrow(/sender is empty/);
  });

  test.each([
    ['', 'x.vn', /meeting id is empty/],
    ['1', 'bad domain', /not a host name/],
    ['1', 'x.vn\r\nATTENDEE:evil', /not a host name/],
  ])('when the id is %j and the domain %j, then it throws', (id, domain, message) => {
    expect(() => meetingUid(id, domain)).toThrow(message);
  });
});

describe('buildMeetingCalendar', () => {
  test('when an invitation is built, then it parses back with the same UID, sequence, method and instants', () => {
    const ics = buildMeetingCalendar(BASE);
    const event = onlyEvent(ics);
    expect(event.uid).toBe('meeting-HOP-2025%2F0929@thanhuy.example.vn');
    expect(event.sequence).toBe(0);
    expect(event.method).toBe('REQUEST');
    expect(event.status).toBe('CONFIRMED');
    expect(event.start.toISOString()).toBe('2025-09-29T01:00:00.000Z');
    expect(event.end?.toISOString()).toBe('2025-09-29T04:30:00.000Z');
    expect(event.dtstamp.toISOString()).toBe('2025-09-20T02:00:00.000Z');
    expect(unfolded(ics)).toEqual(expect.arrayContaining(['METHOD:REQUEST', 'DTSTART:20250929T010000Z', 'DTEND:20250929T043000Z']));
  });

  test('when the texts are Vietnamese with commas, semicolons and newlines, then they come back intact', () => {
    const event = onlyEvent(buildMeetingCalendar(BASE));
    expect(event.summary).toBe(TITLE);
    expect(event.description).toBe(BASE.description);
    expect(event.location).toBe(BASE.location);
    expect(event.url).toBe(BASE.url);
  });

  test('when a meeting is invited, changed and cancelled, then the UID stays and SEQUENCE, METHOD and STATUS follow', () => {
    const invite = buildMeetingCalendar(BASE);
    const change = buildMeetingCalendar({ ...BASE, sequence: 1, start: '2025-09-29T03:00:00Z', end: '2025-09-29T06:00:00Z' });
    const cancel = buildMeetingCalendar({ ...BASE, sequence: 2, method: 'CANCEL', start: '2025-09-29T03:00:00Z', end: '2025-09-29T06:00:00Z' });

    const [a, b, c] = [invite, change, cancel].map(onlyEvent);
    expect([a?.uid, b?.uid, c?.uid]).toEqual([UID, UID, UID]);
    expect([a?.sequence, b?.sequence, c?.sequence]).toEqual([0, 1, 2]);
    expect([a?.method, b?.method, c?.method]).toEqual(['REQUEST', 'REQUEST', 'CANCEL']);
    expect([a?.status, b?.status, c?.status]).toEqual(['CONFIRMED', 'CONFIRMED', 'CANCELLED']);
    expect(b?.start.toISOString()).toBe('2025-09-29T03:00:00.000Z');
    expect(unfolded(cancel)).toEqual(expect.arrayContaining(['METHOD:CANCEL', 'STATUS:CANCELLED', 'SEQUENCE:2']));
  });

  test('when attendees are listed, then the organizer and each attendee are written with RFC 5545 parameters', () => {
    const lines = unfolded(buildMeetingCalendar(BASE));
    expect(lines).toContain('ORGANIZER;CN="Văn phòng Thành ủy":MAILTO:vanphong@thanhuy.example.vn');
    expect(lines).toContain(
      'ATTENDEE;RSVP=TRUE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;CN="Nguyễn Thị Thu Hà":mailto:ntt.ha@thanhuy.example.vn',
    );
    expect(lines).toContain('ATTENDEE;RSVP=FALSE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;CN="Trần Đức Ấn":mailto:td.an@thanhuy.example.vn');
  });

  test('when the meeting is cancelled, then attendees are not asked to reply', () => {
    const lines = unfolded(buildMeetingCalendar({ ...BASE, sequence: 1, method: 'CANCEL' }));
    expect(lines).toContain('ATTENDEE;ROLE=REQ-PARTICIPANT;CN="Nguyễn Thị Thu Hà":mailto:ntt.ha@thanhuy.example.vn');
    expect(lines.join('\n')).not.toMatch(/RSVP|PARTSTAT/);
  });

  test('when the attendees parse back, then node-ical sees both with their names', () => {
    const event = onlyEvent(buildMeetingCalendar(BASE));
    const attendees = Array.isArray(event.attendee) ? event.attendee : [event.attendee];
    expect(attendees.map((a) => (typeof a === 'string' ? a : a?.val))).toEqual([
      'mailto:ntt.ha@thanhuy.example.vn',
      'mailto:td.an@thanhuy.example.vn',
    ]);
    expect(attendees.map((a) => (typeof a === 'string' ? undefined : a?.params.CN))).toEqual(['Nguyễn Thị Thu Hà', 'Trần Đức Ấn']);
  });

  test('when lines hold long Vietnamese text, then every physical line is at most 75 octets and valid UTF-8 on its own', () => {
    const ics = buildMeetingCalendar({ ...BASE, title: `${TITLE} ${'Đảng ủy phường ấp ắp ẩm ướt ỹ ỵ 😀 '.repeat(8)}` });
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const lines = octetLines(ics);
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) {
      expect(line.length).toBeLessThanOrEqual(75);
      expect(() => decoder.decode(line)).not.toThrow();
    }
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
  });

  test('when the ics package folds on its own, then Vietnamese lines exceed 75 octets (the reason for refolding)', () => {
    const { value } = createEvent({ title: TITLE, start: Date.UTC(2025, 8, 29, 1), duration: { hours: 1 } });
    const longest = Math.max(...octetLines(value ?? '').map((l) => l.length));
    expect(longest).toBeGreaterThan(75);
  });

  test('when names contain double quotes or line breaks, then they cannot break out of the CN parameter', () => {
    const ics = buildMeetingCalendar({
      ...BASE,
      organizer: { name: 'Văn phòng "Thành ủy"', email: 'vanphong@thanhuy.example.vn' },
      attendees: [{ name: 'A\r\nATTENDEE:mailto:evil@example.com', email: 'a@thanhuy.example.vn' }],
    });
    const lines = unfolded(ics);
    expect(lines).toContain(`ORGANIZER;CN="Văn phòng 'Thành ủy'":MAILTO:vanphong@thanhuy.example.vn`);
    expect(lines.filter((l) => l.startsWith('ATTENDEE'))).toHaveLength(1);
    expect(onlyEvent(ics).uid).toBe(UID);
  });

  test('when the text is decomposed (NFD), then it is written precomposed', () => {
    const event = onlyEvent(buildMeetingCalendar({ ...BASE, title: TITLE.normalize('NFD') }));
    expect(event.summary).toBe(TITLE);
  });

  test('when optional fields are left out, then no DESCRIPTION, LOCATION or URL lines appear', () => {
    const { description: _d, location: _l, url: _u, ...bare } = BASE;
    const lines = unfolded(buildMeetingCalendar(bare));
    expect(lines.some((l) => /^(DESCRIPTION|LOCATION|URL)[:;]/.test(l))).toBe(false);
  });

  test('when built twice from the same input, then the bytes are identical', () => {
    expect(buildMeetingCalendar(BASE)).toBe(buildMeetingCalendar(BASE));
  });

  test.each<[string, Partial<MeetingCalendarInput>, RegExp]>([
    ['a negative sequence', { sequence: -1 }, /SEQUENCE must be a non-negative integer/],
    ['a fractional sequence', { sequence: 1.5 }, /SEQUENCE/],
    ['no attendees', { attendees: [] }, /at least one attendee/],
    ['an end before the start', { end: '2025-09-29T00:00:00Z' }, /ends .* before or when it starts/],
    ['an end equal to the start', { end: BASE.start }, /before or when it starts/],
    ['a start without offset', { start: '2025-09-29T08:00:00' }, /needs an offset/],
    ['an invalid attendee email', { attendees: [{ name: 'X', email: 'not an email' }] }, /ics package refused/],
    ['an invalid URL', { url: 'not a url' }, /ics package refused/],
  ])('when the input has %s, then it throws', (_name, patch, message) => {
    expect(() => buildMeetingCalendar({ ...BASE, ...patch })).toThrow(message);
  });
});
