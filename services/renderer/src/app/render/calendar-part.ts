import { foldLine } from '@gateway/contracts';
import { buildMeetingCalendar, type CalendarMethod, type MeetingCalendarInput } from '../../adapters/calendar';

/**
 * The iCalendar part of one meeting event, made for each recipient in turn. Every email lists
 * only its own recipient as attendee (a conference invitation must not carry 10,000 addresses),
 * so the calendar differs per recipient only in the ATTENDEE line.
 *
 * `buildMeetingCalendar` validates through the `ics` package on every call, too slow to run per
 * recipient (figures: docs/adr/0005-calendar-splice.md). So it runs once per event with a
 * placeholder attendee, and each recipient's calendar is that text with the ATTENDEE line swapped. The swap
 * is only taken for names and addresses the builder passes through unchanged (letters, digits,
 * spaces and plain punctuation; addresses its validator accepts); anything else, and any output
 * the swap cannot reproduce exactly, goes through the builder itself, so both paths give the
 * same bytes.
 */

export interface CalendarAttendee {
  name: string;
  email: string;
}

export interface EventCalendar {
  method: CalendarMethod;
  uid: string;
  sequence: number;
  forAttendee(attendee: CalendarAttendee): string;
}

export type EventCalendarInput = Omit<MeetingCalendarInput, 'attendees'> & { rsvp: boolean };

const PLACEHOLDER: CalendarAttendee = { name: 'GATEWAY PLACEHOLDER ATTENDEE', email: 'attendee@placeholder.invalid' };

/** Names the builder would keep byte for byte once in NFC: no quotes, controls or edge spaces. */
const PLAIN_NAME = /^[\p{L}\p{N}](?:[\p{L}\p{M}\p{N} .,'()-]*[\p{L}\p{M}\p{N}.)])?$/u;
/** A subset of what the `ics` package's validator (yup's email rule) accepts. */
const PLAIN_EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

const attendeeTail = ({ name, email }: CalendarAttendee): string => `CN="${name}":mailto:${email}`;

interface Splice {
  before: string;
  prefix: string;
  after: string;
}

function spliceOf(sample: string): Splice | null {
  const lines = sample.replace(/\r\n[ \t]/g, '').split('\r\n');
  const attendees = lines.filter((line) => line.startsWith('ATTENDEE'));
  const at = lines.findIndex((line) => line.startsWith('ATTENDEE'));
  const line = lines[at];
  const tail = attendeeTail(PLACEHOLDER);
  if (attendees.length !== 1 || line === undefined || !line.endsWith(tail)) return null;
  const fold = (part: string[]): string => part.map(foldLine).join('\r\n');
  const splice: Splice = {
    before: `${fold(lines.slice(0, at))}\r\n`,
    prefix: line.slice(0, -tail.length),
    after: `\r\n${fold(lines.slice(at + 1).filter((l) => l.length > 0))}\r\n`,
  };
  return `${splice.before}${foldLine(line)}${splice.after}` === sample ? splice : null;
}

export function prepareEventCalendar(input: EventCalendarInput): EventCalendar {
  const { rsvp, ...rest } = input;
  const build = (attendee: CalendarAttendee): string => buildMeetingCalendar({ ...rest, attendees: [{ ...attendee, rsvp }] });
  const splice = spliceOf(build(PLACEHOLDER));
  return {
    method: input.method,
    uid: input.uid,
    sequence: input.sequence,
    forAttendee(attendee) {
      if (splice === null || !PLAIN_NAME.test(attendee.name) || !PLAIN_EMAIL.test(attendee.email)) return build(attendee);
      const name = attendee.name.normalize('NFC');
      return `${splice.before}${foldLine(splice.prefix + attendeeTail({ name, email: attendee.email }))}${splice.after}`;
    },
  };
}
