import type { ChannelMessage } from '@gateway/contracts';
import { foldLine } from '../domain/calendar';

/**
 * A rendered message made for the same person at a corrected address (an operator's resend with
 * a corrected phone or email). The event is not kept, so the message cannot be rendered again;
 * instead every part that carries the address is rebuilt:
 * - the recipient, from which the channel workers take the envelope and the To header;
 * - the calendar part's ATTENDEE (the address a calendar client answers for, and matches the
 *   invitation against).
 * No text part carries an address: templates see only the recipient's name, title and unit
 * (`recipientView`), so subject, HTML, text, SMS, push and in-app bodies are the same for the
 * corrected address.
 */
export function readdressMessage(message: ChannelMessage, recipient: ChannelMessage['recipient']): ChannelMessage {
  if (message.channel !== 'email' || message.calendar === undefined) return { ...message, recipient };
  const before = message.recipient.email;
  const after = recipient.email;
  if (after === undefined || before === undefined || after.toLowerCase() === before.toLowerCase()) return { ...message, recipient };
  return { ...message, recipient, calendar: { ...message.calendar, ics: readdressAttendee(message.calendar.ics, before, after) } };
}

/** What an address may hold to be written as a cal-address (mailto URI) without escaping. */
const PLAIN_ADDRESS = /^[^\s"';:,\\<>()[\]]+@[A-Za-z0-9.-]+$/;

/** Where the property value starts: the first colon outside a quoted parameter value. */
function valueStart(line: string): number {
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === ':' && !quoted) return i;
  }
  return -1;
}

/**
 * The iCalendar text with the ATTENDEE for `before` naming `after` instead; every other line,
 * and its folding, is kept byte for byte. Throws when no such attendee is there: an invitation
 * naming someone else must not go out under the corrected address.
 */
export function readdressAttendee(ics: string, before: string, after: string): string {
  if (!PLAIN_ADDRESS.test(after)) throw new RangeError(`readdressAttendee: ${JSON.stringify(after)} cannot be written as a calendar address`);
  const physical = ics.split('\r\n');
  const out: string[] = [];
  let replaced = 0;
  for (let i = 0; i < physical.length; i += 1) {
    let line = physical[i] as string;
    let end = i;
    while (end + 1 < physical.length && /^[ \t]/.test(physical[end + 1] as string)) {
      end += 1;
      line += (physical[end] as string).slice(1);
    }
    const at = /^ATTENDEE[;:]/i.test(line) ? valueStart(line) : -1;
    if (at >= 0 && line.slice(at + 1).toLowerCase() === `mailto:${before.toLowerCase()}`) {
      out.push(foldLine(`${line.slice(0, at + 1)}mailto:${after}`));
      replaced += 1;
    } else {
      out.push(...physical.slice(i, end + 1));
    }
    i = end;
  }
  if (replaced === 0) throw new RangeError('readdressAttendee: the calendar part has no attendee with the address the message was sent to');
  return out.join('\r\n');
}
