import { readdressAttendee } from './readdress';
import { icsAttendees as attendees } from '@gateway/tests/support/ical';

describe('readdressMessage (a resend to a corrected address)', () => {
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
