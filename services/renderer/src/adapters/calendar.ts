import { createEvent, type Attendee, type EventAttributes } from 'ics';
import { foldLine } from '@gateway/contracts';
import { parseInstant } from '../domain/vn-format';

/**
 * The iCalendar part of meeting emails (RFC 5545 / iTIP RFC 5546). Calendar clients match an
 * update or cancellation to the invitation by UID and keep the one with the highest SEQUENCE,
 * so the UID must be derived from the meeting, never generated per message.
 *
 * The `ics` package (3.x) is used for escaping and layout, with three repairs made here:
 * - it folds lines at 75 code points rather than 75 octets, so Vietnamese lines run to
 *   100+ octets; the output is unfolded and refolded on UTF-8 character boundaries;
 * - it quotes ROLE and PARTSTAT values, which their RFC 5545 grammar does not allow;
 * - it writes a double quote inside a quoted CN as \", which is not valid either; names are
 *   cleaned before they reach it.
 * It also stamps DTSTAMP with the current time unless given one, so `stamp` is passed through to
 * keep the output reproducible for the same event.
 */

export type CalendarMethod = 'REQUEST' | 'CANCEL';

export interface MeetingCalendarInput {
  uid: string;
  /** Incremented on every change; a CANCEL carries a sequence above the last REQUEST. */
  sequence: number;
  method: CalendarMethod;
  title: string;
  description?: string;
  location?: string;
  url?: string;
  /** ISO 8601 instants with offset. */
  start: string;
  end: string;
  organizer: { name: string; email: string };
  attendees: ReadonlyArray<{ name: string; email: string; rsvp?: boolean }>;
  /** DTSTAMP; pass the change's own time (e.g. the event's occurredAt) so retries render the same bytes. */
  stamp?: string;
}

const PRODUCT_ID = '-//meeting-doc-notify-gateway//renderer//VI';

/** RFC 5545 TEXT may not hold control characters; lone CRs would also break the line structure. */
function cleanText(text: string): string {
  return (
    text
      .normalize('NFC')
      .replace(/\r\n?/g, '\n')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
  );
}

/** Parameter values (CN) cannot contain DQUOTE or any control character, not even escaped. */
function cleanName(name: string): string {
  return (
    name
      .normalize('NFC')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f]+/g, ' ')
      .replace(/"/g, "'")
      .trim()
  );
}

function refold(ics: string): string {
  const lines = ics
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n')
    .filter((line) => line.length > 0)
    .map((line) => (line.startsWith('ATTENDEE') ? line.replace(/;(ROLE|PARTSTAT|CUTYPE)="([A-Z-]+)"/g, ';$1=$2') : line))
    .map(foldLine);
  return `${lines.join('\r\n')}\r\n`;
}

export function buildMeetingCalendar(input: MeetingCalendarInput): string {
  const { uid, sequence, method } = input;
  if (!Number.isInteger(sequence) || sequence < 0) {
    throw new RangeError(`calendar ${uid}: SEQUENCE must be a non-negative integer, got ${sequence}`);
  }
  if (input.attendees.length === 0) throw new RangeError(`calendar ${uid}: an iTIP ${method} needs at least one attendee`);
  const start = parseInstant(input.start).getTime();
  const end = parseInstant(input.end).getTime();
  if (end <= start) throw new RangeError(`calendar ${uid}: the meeting ends (${input.end}) before or when it starts (${input.start})`);

  const attendees: Attendee[] = input.attendees.map((a) => ({
    name: cleanName(a.name),
    email: a.email,
    role: 'REQ-PARTICIPANT',
    // A cancellation asks for no reply.
    ...(method === 'REQUEST' ? { rsvp: a.rsvp ?? false, partstat: 'NEEDS-ACTION' as const } : {}),
  }));

  // `timestamp` (DTSTAMP) is accepted by the package's schema but missing from its typings.
  const attributes: EventAttributes & { timestamp?: number } = {
    productId: PRODUCT_ID,
    method,
    uid,
    sequence,
    status: method === 'CANCEL' ? 'CANCELLED' : 'CONFIRMED',
    title: cleanText(input.title),
    start,
    startInputType: 'utc',
    startOutputType: 'utc',
    end,
    endInputType: 'utc',
    endOutputType: 'utc',
    organizer: { name: cleanName(input.organizer.name), email: input.organizer.email },
    attendees,
    ...(input.description !== undefined ? { description: cleanText(input.description) } : {}),
    ...(input.location !== undefined ? { location: cleanText(input.location) } : {}),
    ...(input.url !== undefined ? { url: input.url } : {}),
    ...(input.stamp !== undefined ? { timestamp: parseInstant(input.stamp).getTime() } : {}),
  };

  const { error, value } = createEvent(attributes);
  if (error || value === null) {
    throw new Error(`calendar ${uid}: the ics package refused the event: ${error?.message ?? 'no output'}`, { cause: error });
  }
  return refold(value);
}
