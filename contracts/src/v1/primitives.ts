import { z } from 'zod';

/** Event, message and meeting/document ids: safe in Kafka keys, iCalendar UIDs and URLs. */
const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
/** Ids of people and groups; shared by inline people and `person:`/`group:` references. */
export const REF_ID_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
const SOURCE_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

/**
 * A schema's own message is for a value that is there but wrong; a missing field falls through
 * to the shared "required" so sources are not told to reformat something they never sent.
 */
export function whenPresent(message: string) {
  return (issue: { input?: unknown }): string | undefined => (issue.input === undefined ? undefined : message);
}

export const DATE_TIME_MESSAGE = 'must be an ISO 8601 date-time with a UTC offset, e.g. 2025-09-29T08:00:00+07:00';
export const DATE_MESSAGE = 'must be a calendar date written YYYY-MM-DD, e.g. 2025-09-29';
export const URL_MESSAGE = 'must be an absolute http(s) URL, e.g. https://vanban.danang.gov.vn/vb/125';

export const idSchema = z
  .string()
  .regex(ID_PATTERN, { error: 'must be 1 to 128 characters of letters, digits, ".", "_", ":" or "-"' });

export const refIdSchema = z
  .string()
  .max(128)
  .regex(REF_ID_PATTERN, { error: 'must start with a lowercase letter or digit and use only a-z, 0-9, ".", "_" or "-"' });

export const sourceSchema = z
  .string()
  .max(64)
  .regex(SOURCE_PATTERN, { error: 'must be a system id of lowercase letters, digits, ".", "_" or "-", e.g. vpthanhuy-danang' });

/**
 * Seconds are required and a local time without an offset is refused: the gateway cannot guess
 * the zone a source meant, and a wrong guess moves a meeting by hours.
 */
export const dateTimeSchema = z.iso.datetime({ offset: true, error: whenPresent(DATE_TIME_MESSAGE) });

export const dateSchema = z.iso.date({ error: whenPresent(DATE_MESSAGE) });

/** Processing deadlines come as a whole day or an exact time, depending on the document system. */
export const dateOrDateTimeSchema = z.union([dateSchema, dateTimeSchema], {
  error: whenPresent(
    'must be a date (YYYY-MM-DD) or an ISO 8601 date-time with a UTC offset, e.g. 2025-10-03T17:00:00+07:00',
  ),
});

/** Only http(s): these links end up in SMS, email and push bodies, where other schemes are a risk. */
export const urlSchema = z.url({ protocol: /^https?$/, error: whenPresent(URL_MESSAGE) }).max(2048);

/** Free text from a source: trimmed, never blank, bounded so one event cannot exhaust a worker. */
export function nonBlankText(max: number) {
  return z.string().trim().min(1).max(max);
}

const E164_PATTERN = /^\+[1-9]\d{6,14}$/;

/** For contracts produced by our own services, where the phone was normalized at intake. */
export const e164Schema = z.string().regex(E164_PATTERN, { error: 'must be an E.164 phone number, e.g. +84905123456' });

/** Emails keep their local part as written (some servers are case-sensitive there); domains are case-insensitive. */
export const emailSchema = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ error: 'must be an email address, e.g. nguyenvana@danang.gov.vn' }))
  .transform((email) => {
    const at = email.lastIndexOf('@');
    return email.slice(0, at + 1) + email.slice(at + 1).toLowerCase();
  })
  .meta({ format: 'email' });

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
