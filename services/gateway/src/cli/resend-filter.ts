import { CHANNELS, DELIVERY_STATES, type Channel, type DeliveryState } from '@gateway/contracts';
import { UsageError } from './errors';
import { VN_OFFSET, vnDate } from './time';

/** The body's `filter` of POST /v1/resend-jobs; one value as a string, several as a list. */
export interface ResendFilter {
  status?: DeliveryState | DeliveryState[];
  channel?: Channel | Channel[];
  eventId?: string;
  source?: string;
  recipient?: string;
  /** ISO 8601 instants (UTC), inclusive. */
  from?: string;
  to?: string;
}

export interface ResendFlags {
  status?: string;
  channel?: string;
  event?: string;
  source?: string;
  recipient?: string;
  since?: string;
  until?: string;
}

function oneOrMany<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | T[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((v) => v.trim()).filter(Boolean);
  const unknown = items.filter((v) => !(allowed as readonly string[]).includes(v));
  if (items.length === 0 || unknown.length) throw new UsageError(`--${flag}: unknown ${unknown.join(', ') || '(empty)'}; one or more (comma-separated) of ${allowed.join(', ')}`);
  const unique = [...new Set(items)] as T[];
  return unique.length === 1 ? unique[0] : unique;
}

/**
 * An admin's time, read in Vietnam time unless it carries its own offset: "08:00" (today),
 * "2025-09-29", "2025-09-29 08:00", "2025-09-29T08:00:00+07:00". Returned as an ISO instant.
 */
export function parseVnTime(flag: string, value: string, now: Date): string {
  const v = value.trim();
  let local: string | undefined;
  let m: RegExpExecArray | null;
  if ((m = /^(\d{1,2}):(\d{2})$/.exec(v))) local = `${vnDate(now)}T${m[1]!.padStart(2, '0')}:${m[2]}:00`;
  else if (/^\d{4}-\d{2}-\d{2}$/.test(v)) local = `${v}T00:00:00`;
  else if ((m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2})?$/.exec(v))) local = `${m[1]}T${m[2]}${m[3] ?? ':00'}`;
  const text = local ? `${local}${VN_OFFSET}` : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v) ? v : undefined;
  const ms = text === undefined ? NaN : Date.parse(text);
  // Date.parse rolls 25:00 or 2025-02-30 over; a time that does not read back the same is refused.
  const rolled = local !== undefined && !Number.isNaN(ms) && new Date(ms + 7 * 3600_000).toISOString().slice(0, 19) !== local;
  if (Number.isNaN(ms) || rolled) throw new UsageError(`--${flag}: "${value}" is not a time; use 08:00 (today, Vietnam time), 2025-09-29, 2025-09-29 08:00 or an ISO time with offset`);
  return new Date(ms).toISOString();
}

/** The resend filter from the command's flags; refuses an empty filter (that would resend everything). */
export function parseResendFilter(flags: ResendFlags, now: Date): ResendFilter {
  const filter: ResendFilter = {};
  const status = oneOrMany('status', flags.status, DELIVERY_STATES);
  const channel = oneOrMany('channel', flags.channel, CHANNELS);
  if (status !== undefined) filter.status = status;
  if (channel !== undefined) filter.channel = channel;
  for (const [flag, field] of [['event', 'eventId'], ['source', 'source'], ['recipient', 'recipient']] as const) {
    const value = flags[flag]?.trim();
    if (flags[flag] !== undefined && !value) throw new UsageError(`--${flag} needs a value`);
    if (value) filter[field] = value;
  }
  if (flags.since !== undefined) filter.from = parseVnTime('since', flags.since, now);
  if (flags.until !== undefined) filter.to = parseVnTime('until', flags.until, now);
  if (filter.from && Date.parse(filter.from) > now.getTime()) throw new UsageError(`--since ${flags.since} is in the future (${filter.from}); times are Vietnam time (UTC+7)`);
  if (filter.from && filter.to && filter.from > filter.to) throw new UsageError(`--since (${filter.from}) is after --until (${filter.to})`);
  if (Object.keys(filter).length === 0) throw new UsageError('refusing to resend everything: give at least one of --status, --channel, --event, --source, --recipient, --since, --until');
  return filter;
}
