import { sync as ical, type VEvent } from 'node-ical';

/** The ATTENDEE values and params of every VEVENT, as a calendar client reads them back. */
export const icsAttendees = (ics: string) =>
  Object.values(ical.parseICS(ics))
    .filter((c): c is VEvent => c?.type === 'VEVENT')
    .flatMap((e) => (e.attendee === undefined ? [] : Array.isArray(e.attendee) ? e.attendee : [e.attendee]))
    .map((a) => (typeof a === 'string' ? { val: a, params: {} } : a));
