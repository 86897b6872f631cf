import { sync as ical, type VEvent } from 'node-ical';
import type { ChannelMessage, EmailMessage } from '@gateway/contracts';
import { isSkipped } from './render';
import { readdressAttendee, readdressMessage } from './readdress';
import { contextFor, person, realRenderer, variant } from '../../test/render-support';
import { recipientView } from './view-model';

const event = variant('meeting-scheduled-hoi-nghi-bch', () => undefined);
// A long name folds the ATTENDEE line: the rewrite must unfold and refold it.
const who = { ...person(event, 'nguyen-van-an'), name: 'Nguyễn Văn An Trưởng Ban Tổ chức Thành ủy Đà Nẵng' };

function rendered(channel: 'email' | 'sms'): ChannelMessage {
  const [result] = realRenderer().renderMessages(event, who, [channel], contextFor(event, who));
  if (result === undefined || isSkipped(result)) throw new Error(`expected a ${channel} message`);
  return result;
}

const attendees = (ics: string) =>
  Object.values(ical.parseICS(ics))
    .filter((c): c is VEvent => c?.type === 'VEVENT')
    .flatMap((e) => (e.attendee === undefined ? [] : Array.isArray(e.attendee) ? e.attendee : [e.attendee]))
    .map((a) => (typeof a === 'string' ? { val: a, params: {} } : a));

describe('readdressMessage (a resend to a corrected address)', () => {
  it('when an invitation is readdressed, then its ATTENDEE names the new address with the same name, and every other line is unchanged', () => {
    const email = rendered('email') as EmailMessage;
    const before = email.calendar?.ics ?? '';
    expect(before).toMatch(/\r\n /); // folded
    const next = readdressMessage(email, { ...email.recipient, email: 'an.nguyen@danang.gov.vn' }) as EmailMessage;
    const after = next.calendar?.ics ?? '';
    expect(attendees(after)).toEqual([expect.objectContaining({ val: 'mailto:an.nguyen@danang.gov.vn', params: expect.objectContaining({ CN: who.name }) })]);
    expect(attendees(before)[0]?.val).toBe(`mailto:${who.email}`);
    const others = (ics: string) => ics.replace(/\r\n[ \t]/g, '').split('\r\n').filter((l) => !l.startsWith('ATTENDEE'));
    expect(others(after)).toEqual(others(before));
    expect(after.split('\r\n').every((line) => Buffer.byteLength(line) <= 75)).toBe(true);
    expect(next).toMatchObject({ recipient: { email: 'an.nguyen@danang.gov.vn' }, subject: email.subject, html: email.html, text: email.text, calendar: { uid: email.calendar?.uid, sequence: email.calendar?.sequence } });
  });

  it('when the address is the same (any case), or the message is an SMS, then only the recipient changes', () => {
    const email = rendered('email') as EmailMessage;
    expect(readdressMessage(email, { ...email.recipient, email: (email.recipient.email ?? '').toUpperCase() })).toMatchObject({ calendar: email.calendar });
    const sms = rendered('sms');
    expect(readdressMessage(sms, { ...sms.recipient, phone: '+84905123456' })).toEqual({ ...sms, recipient: { ...sms.recipient, phone: '+84905123456' } });
  });

  it('when no text part could carry the address, then that is because templates never see it', () => {
    expect(Object.keys(recipientView({ id: 'a', name: 'A', phone: '+84905123456', email: 'a@danang.gov.vn', userId: 'u', title: 'T', unit: 'U' })).sort()).toEqual(['name', 'title', 'unit']);
  });

  it('when the calendar names someone else, or the new address cannot be written as a calendar address, then it throws instead of sending a wrong invitation', () => {
    const ics = 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nATTENDEE;CN="B: x":mailto:b@danang.gov.vn\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
    expect(() => readdressAttendee(ics, 'a@danang.gov.vn', 'c@danang.gov.vn')).toThrow(/no attendee/);
    expect(readdressAttendee(ics, 'B@danang.gov.vn', 'c@danang.gov.vn')).toBe(ics.replace('mailto:b@', 'mailto:c@'));
    expect(() => readdressAttendee(ics, 'b@danang.gov.vn', 'c@x.vn\r\nATTENDEE:mailto:evil@x.vn')).toThrow(/cannot be written/);
  });
});

describe('readdressAttendee: every address a corrected email is validated with can be written', () => {
  const ics = 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nATTENDEE;CN="Trần O\'Neill":mailto:b@danang.gov.vn\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';

  it('when the corrected address holds an apostrophe (valid for the intake), then the ATTENDEE names it, parsed back exactly, the CN param unchanged', () => {
    const after = readdressAttendee(ics, 'b@danang.gov.vn', "o'neill@danang.gov.vn");
    expect(after).toContain(`ATTENDEE;CN="Trần O'Neill":mailto:o'neill@danang.gov.vn\r\n`);
    expect(attendees(after)).toEqual([expect.objectContaining({ val: "mailto:o'neill@danang.gov.vn", params: expect.objectContaining({ CN: "Trần O'Neill" }) })]);
  });

  it('when the message was sent to such an address, then a second correction finds its ATTENDEE', () => {
    const first = readdressAttendee(ics, 'b@danang.gov.vn', "o'neill@danang.gov.vn");
    expect(attendees(readdressAttendee(first, "O'Neill@danang.gov.vn", 'c@danang.gov.vn'))[0]?.val).toBe('mailto:c@danang.gov.vn');
  });

  it('when readdressing fails, then the error says why (an address that cannot be written, or no attendee for the address)', () => {
    expect(() => readdressAttendee(ics, 'x@danang.gov.vn', 'c@danang.gov.vn')).toThrow(expect.objectContaining({ name: 'ReaddressError', reason: 'no-attendee' }));
    expect(() => readdressAttendee(ics, 'b@danang.gov.vn', 'not an address')).toThrow(expect.objectContaining({ name: 'ReaddressError', reason: 'unwritable-address' }));
  });
});
