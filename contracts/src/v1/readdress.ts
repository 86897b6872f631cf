import { foldLine } from './ical';
import type { ChannelMessage } from './messages';
import { emailSchema } from './primitives';

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

/** Why a message cannot be readdressed: the address cannot be written, or the calendar part does not name the person it was sent to. */
export class ReaddressError extends RangeError {
  constructor(
    readonly reason: 'unwritable-address' | 'no-attendee',
    message: string,
  ) {
    super(message);
    this.name = 'ReaddressError';
  }
}

/**
 * A cal-address is a URI (RFC 5545 §3.3.3), here a mailto URI (RFC 6068): an apostrophe, legal in
 * an address the intake accepts, stays as it is (a sub-delim); anything a URI may not hold raw is
 * percent-encoded, so no address can end the property value or the line early.
 */
function mailto(address: string): string {
  return `mailto:${address.replace(/[^A-Za-z0-9\-._~!$'()*+@]/gu, (ch) => encodeURIComponent(ch))}`;
}

/** The address a mailto value names, percent-decoded (a value that does not decode is kept as written). */
function addressOf(value: string): string | undefined {
  if (!/^mailto:/i.test(value)) return undefined;
  const raw = value.slice('mailto:'.length);
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

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
  // Exactly what a corrected email is validated with: every address accepted there can be written.
  if (!emailSchema.safeParse(after).success) throw new ReaddressError('unwritable-address', `readdressAttendee: ${JSON.stringify(after)} cannot be written as a calendar address`);
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
    if (at >= 0 && addressOf(line.slice(at + 1))?.toLowerCase() === before.toLowerCase()) {
      out.push(foldLine(`${line.slice(0, at + 1)}${mailto(after)}`));
      replaced += 1;
    } else {
      out.push(...physical.slice(i, end + 1));
    }
    i = end;
  }
  if (replaced === 0) throw new ReaddressError('no-attendee', 'readdressAttendee: the calendar part has no attendee with the address the message was sent to');
  return out.join('\r\n');
}
