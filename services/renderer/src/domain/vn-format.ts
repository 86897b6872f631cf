/**
 * Vietnamese official date style, always in Asia/Ho_Chi_Minh. Vietnam has had a fixed UTC+7
 * offset since 1975, so the wall clock is computed by shifting the instant instead of asking
 * Intl: ICU month/weekday names and spacing change between Node builds and would break
 * messages that must match registered SMS templates character for character.
 */

const VN_OFFSET_MS = 7 * 60 * 60 * 1000;

/** Indexed by Date#getUTCDay(). */
const WEEKDAYS = ['Chủ Nhật', 'Thứ Hai', 'Thứ Ba', 'Thứ Tư', 'Thứ Năm', 'Thứ Sáu', 'Thứ Bảy'] as const;

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

export class InvalidDateError extends Error {
  override readonly name = 'InvalidDateError';
  readonly retriable = false;
}

/** A calendar day on the Hà Nội wall clock, with the time when the input had one. */
interface VnMoment {
  year: number;
  month: number;
  day: number;
  weekday: number;
  time?: { hour: number; minute: number };
}

function show(input: unknown): string {
  if (input instanceof Date) return Number.isNaN(input.getTime()) ? 'Invalid Date' : input.toISOString();
  return typeof input === 'string' ? JSON.stringify(input) : String(input);
}

function fail(input: unknown, why: string): never {
  throw new InvalidDateError(`cannot read ${show(input)} as a date: ${why}`);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function fromShiftedEpoch(shifted: number): VnMoment {
  const d = new Date(shifted);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    weekday: d.getUTCDay(),
    time: { hour: d.getUTCHours(), minute: d.getUTCMinutes() },
  };
}

type Parsed = { kind: 'date'; year: number; month: number; day: number } | { kind: 'instant'; epochMs: number };

function parse(input: string | Date): Parsed {
  if (input instanceof Date) {
    const epochMs = input.getTime();
    if (Number.isNaN(epochMs)) fail(input, 'invalid Date object');
    return { kind: 'instant', epochMs };
  }
  if (typeof input !== 'string') fail(input, 'expected an ISO 8601 string or a Date');
  const m = ISO.exec(input.trim());
  if (!m) fail(input, 'expected ISO 8601 such as "2025-09-29T08:00:00+07:00" or "2025-09-29"');
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12) fail(input, `month ${month} does not exist`);
  if (day < 1 || day > daysInMonth(year, month)) fail(input, `day ${day} does not exist in ${month}/${year}`);
  if (h === undefined) return { kind: 'date', year, month, day };

  // Without an offset the instant depends on the server's zone; that is a contract bug, not
  // something to guess here.
  if (zone === undefined) fail(input, 'a date-time needs an offset ("Z" or "+07:00")');
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (hour > 23 || minute > 59 || second > 59) fail(input, 'time of day out of range');
  const ms = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) fail(input, `offset ${zone} out of range`);
    offsetMinutes = sign * (oh * 60 + om);
  }
  const epochMs = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000;
  return { kind: 'instant', epochMs };
}

/** The instant an ISO 8601 date-time (with offset) or Date denotes; date-only input is refused. */
export function parseInstant(input: string | Date): Date {
  const parsed = parse(input);
  if (parsed.kind === 'date') fail(input, 'a date without a time does not denote an instant');
  return new Date(parsed.epochMs);
}

function toVn(input: string | Date): VnMoment {
  const parsed = parse(input);
  if (parsed.kind === 'instant') return fromShiftedEpoch(parsed.epochMs + VN_OFFSET_MS);
  const { year, month, day } = parsed;
  return { year, month, day, weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay() };
}

function withTime(input: string | Date): Required<VnMoment> {
  const moment = toVn(input);
  if (!moment.time) fail(input, 'a time of day is needed here, but only a date was given');
  return { ...moment, time: moment.time };
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

const timeText = (m: Required<VnMoment>): string => `${pad2(m.time.hour)} giờ ${pad2(m.time.minute)}`;
const shortText = (m: VnMoment): string => `${m.day}/${m.month}/${m.year}`;
const dateText = (m: VnMoment): string => `${WEEKDAYS[m.weekday] ?? ''}, ngày ${shortText(m)}`;

/** "08 giờ 00, Thứ Hai, ngày 29/9/2025" */
export function formatVnDateTime(input: string | Date): string {
  const m = withTime(input);
  return `${timeText(m)}, ${dateText(m)}`;
}

/** "Thứ Hai, ngày 29/9/2025"; a bare "2025-09-29" is that calendar day, never shifted. */
export function formatVnDate(input: string | Date): string {
  return dateText(toVn(input));
}

/** "08 giờ 00" */
export function formatVnTime(input: string | Date): string {
  return timeText(withTime(input));
}

/** "29/9/2025" */
export function formatVnDateShort(input: string | Date): string {
  return shortText(toVn(input));
}

/**
 * "từ 08 giờ 00 đến 11 giờ 30, Thứ Hai, ngày 29/9/2025" on one day, otherwise
 * "từ 08 giờ 00, Thứ Hai, ngày 29/9/2025 đến 17 giờ 00, Thứ Ba, ngày 30/9/2025".
 */
export function formatVnTimeRange(start: string | Date, end: string | Date): string {
  const from = withTime(start);
  const to = withTime(end);
  if (parseInstant(end).getTime() < parseInstant(start).getTime()) {
    throw new InvalidDateError(`time range ends at ${show(end)}, before it starts at ${show(start)}`);
  }
  if (from.year === to.year && from.month === to.month && from.day === to.day) {
    return `từ ${timeText(from)} đến ${timeText(to)}, ${dateText(from)}`;
  }
  return `từ ${timeText(from)}, ${dateText(from)} đến ${timeText(to)}, ${dateText(to)}`;
}

// The same slugs and labels as contracts/src/v1/classification.ts. Templates pass plain strings,
// so an unknown slug must fail here rather than render as an empty label.
const URGENCY_LABELS: Readonly<Record<string, string>> = {
  thuong: 'Thường',
  khan: 'Khẩn',
  'thuong-khan': 'Thượng khẩn',
  'hoa-toc': 'Hỏa tốc',
};

const SECRECY_LABELS: Readonly<Record<string, string>> = {
  thuong: 'Thường',
  mat: 'Mật',
  'toi-mat': 'Tối mật',
  'tuyet-mat': 'Tuyệt mật',
};

function label(table: Readonly<Record<string, string>>, kind: string, slug: string): string {
  const found = Object.hasOwn(table, slug) ? table[slug] : undefined;
  if (found === undefined) {
    throw new RangeError(`unknown ${kind} "${slug}"; expected one of: ${Object.keys(table).join(', ')}`);
  }
  return found;
}

/** 'thuong' | 'khan' | 'thuong-khan' | 'hoa-toc' -> "Thường" | "Khẩn" | "Thượng khẩn" | "Hỏa tốc" */
export function urgencyLabel(slug: string): string {
  return label(URGENCY_LABELS, 'urgency', slug);
}

/** 'thuong' | 'mat' | 'toi-mat' | 'tuyet-mat' -> "Thường" | "Mật" | "Tối mật" | "Tuyệt mật" */
export function secrecyLabel(slug: string): string {
  return label(SECRECY_LABELS, 'secrecy', slug);
}

/**
 * Mật and above: SMS, email and push may then carry only a notice and a link. An unknown value
 * throws rather than returning false, so a typo can never leak a summary.
 */
export function isSecret(secrecy: string): boolean {
  return label(SECRECY_LABELS, 'secrecy', secrecy) !== SECRECY_LABELS.thuong;
}
