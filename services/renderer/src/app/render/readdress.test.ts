import { readdressMessage, type ChannelMessage, type EmailMessage } from '@gateway/contracts';
import { isSkipped } from './render';
import { contextFor, person, realRenderer, variant } from '../../../test/render-support';
import { recipientView } from './view-model';
import { icsAttendees as attendees } from '@gateway/tests/support/ical';

// readdressMessage (contracts) on what this renderer writes: a folded ATTENDEE, and bodies without an address.
const event = variant('meeting-scheduled-hoi-nghi-bch', () => undefined);
// A long name folds the ATTENDEE line: the rewrite must unfold and refold it.
const who = { ...person(event, 'nguyen-van-an'), name: 'Nguyễn Văn An Trưởng Ban Tổ chức Thành ủy Đà Nẵng' };

function rendered(channel: 'email' | 'sms'): ChannelMessage {
  const [result] = realRenderer().renderMessages(event, who, [channel], contextFor(event, who));
  if (result === undefined || isSkipped(result)) throw new Error(`expected a ${channel} message`);
  return result;
}

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

  it('when no text part could carry the address, then that is because templates never see it (the personal attendance link is per person, not per address)', () => {
    expect(Object.keys(recipientView({ id: 'a', name: 'A', phone: '+84905123456', email: 'a@danang.gov.vn', userId: 'u', title: 'T', unit: 'U' })).sort()).toEqual(['confirmLink', 'name', 'title', 'unit']);
  });
});
