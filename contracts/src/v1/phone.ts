import { parsePhoneNumberFromString, validatePhoneNumberLength, type NumberType } from 'libphonenumber-js/max';
import { z } from 'zod';
import { whenPresent } from './primitives';

export type PhoneResult = { ok: true; e164: string } | { ok: false; reason: string };

/**
 * The 11-digit mobile prefixes renumbered to 10 digits in 2018-2019 (old prefix, without the
 * trunk 0, mapped to the new one). Numbers written the old way are still common in address
 * books; they are refused with the new prefix rather than converted silently, because the
 * source's directory is what needs fixing.
 */
export const RENUMBERED_PREFIXES: Readonly<Record<string, string>> = {
  '120': '70',
  '121': '79',
  '122': '77',
  '126': '76',
  '128': '78',
  '123': '83',
  '124': '84',
  '125': '85',
  '127': '81',
  '129': '82',
  '162': '32',
  '163': '33',
  '164': '34',
  '165': '35',
  '166': '36',
  '167': '37',
  '168': '38',
  '169': '39',
  '186': '56',
  '188': '58',
  '199': '59',
};

export interface PhoneRangeOverride {
  /** Leading digits of the Vietnamese national significant number (no trunk 0, no +84). */
  readonly prefix: string;
  /** Length of the national significant number. */
  readonly length: number;
  readonly note: string;
}

/**
 * Mobile ranges in use that libphonenumber-js 1.13's metadata only partly covers. Kept short
 * and explicit: each entry widens what we accept, so each needs a reason. Drop an entry once
 * the metadata validates the whole range.
 */
export const PHONE_RANGE_OVERRIDES: readonly PhoneRangeOverride[] = [
  { prefix: '52', length: 9, note: 'Vietnamobile 052; metadata knows only 0522, 0523 and 0528' },
  { prefix: '55', length: 9, note: 'Reddi (MVNO on MobiFone) 055; metadata knows only 0559' },
  { prefix: '89', length: 9, note: 'MobiFone 089; metadata knows only 0896-0899' },
];

const ACCEPTED_TYPES: ReadonlySet<NumberType> = new Set<NumberType>([
  'MOBILE',
  'FIXED_LINE',
  'FIXED_LINE_OR_MOBILE',
  'PERSONAL_NUMBER',
  'VOIP',
  undefined,
]);

const SERVICE_TYPES: Readonly<Partial<Record<NonNullable<NumberType>, string>>> = {
  TOLL_FREE: 'a toll-free service number',
  PREMIUM_RATE: 'a premium-rate service number',
  SHARED_COST: 'a shared-cost service number',
  UAN: 'a service access number',
  VOICEMAIL: 'a voicemail access number',
  PAGER: 'a pager number',
};

const PHONE_CHARS = /^\+?[0-9 ().-]+$/;
const EXAMPLE = 'e.g. 0905 123 456 or +84905123456';

/** Returns the national digits (no trunk 0) when the input is a Vietnamese number as typed. */
function vietnameseNationalDigits(digits: string): string | undefined {
  if (digits.startsWith('+84')) return digits.slice(3);
  if (digits.startsWith('0084')) return digits.slice(4);
  if (digits.startsWith('0')) return digits.slice(1);
  if (digits.startsWith('84') && digits.length >= 11) return digits.slice(2);
  return undefined;
}

function renumberedHint(national: string): string | undefined {
  if (national.length !== 10) return undefined;
  const old = national.slice(0, 3);
  const replacement = RENUMBERED_PREFIXES[old];
  if (replacement === undefined) return undefined;
  return (
    `uses the old 11-digit prefix 0${old}, renumbered in 2018-2019 to 0${replacement}: ` +
    `write it as 0${replacement} followed by the last 7 digits (+84${replacement}...)`
  );
}

function override(national: string): boolean {
  return PHONE_RANGE_OVERRIDES.some((o) => national.length === o.length && national.startsWith(o.prefix));
}

/**
 * Normalizes a phone number to E.164, defaulting to Vietnam. Reasons never repeat the number
 * itself, because they end up in API answers and logs where phone numbers must stay masked.
 */
// The same cadres appear in event after event; full-metadata validation is the costliest step of
// parsing an event, and the function is pure, so results are remembered (bounded, cleared when full).
const MEMO_LIMIT = 20_000;
const memo = new Map<string, PhoneResult>();

export function normalizePhone(input: string): PhoneResult {
  if (typeof input !== 'string') return normalizePhoneUncached(input);
  const known = memo.get(input);
  if (known) return known;
  const result = Object.freeze(normalizePhoneUncached(input));
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(input, result);
  return result;
}

function normalizePhoneUncached(input: string): PhoneResult {
  if (typeof input !== 'string') return { ok: false, reason: `must be a phone number as a string, ${EXAMPLE}` };
  const trimmed = input.trim();
  if (trimmed === '') return { ok: false, reason: `must not be empty; give a phone number, ${EXAMPLE}` };
  if (trimmed.length > 32) return { ok: false, reason: 'is too long to be a phone number' };
  if (!PHONE_CHARS.test(trimmed)) {
    return { ok: false, reason: `must contain only digits, spaces, "+", ".", "-" or parentheses, ${EXAMPLE}` };
  }
  const digits = trimmed.replace(/[ ().-]/g, '');
  const national = vietnameseNationalDigits(digits);
  if (national !== undefined) {
    const hint = renumberedHint(national);
    if (hint !== undefined) return { ok: false, reason: hint };
  }

  const parsed = parsePhoneNumberFromString(digits, 'VN');
  if (parsed === undefined) return { ok: false, reason: `is not a phone number, ${EXAMPLE}` };
  const vietnamese = parsed.countryCallingCode === '84';
  if (parsed.isValid()) {
    const type = parsed.getType();
    if (!ACCEPTED_TYPES.has(type)) {
      const what = (type !== undefined && SERVICE_TYPES[type]) || 'a service number';
      return { ok: false, reason: `is ${what}, not a person's phone` };
    }
    return { ok: true, e164: parsed.number };
  }
  if (vietnamese && override(parsed.nationalNumber)) {
    return { ok: true, e164: `+84${parsed.nationalNumber}` };
  }
  if (vietnamese) {
    const length = validatePhoneNumberLength(digits, 'VN');
    const why =
      length === 'TOO_SHORT' ? 'too few digits' : length === 'TOO_LONG' ? 'too many digits' : 'no such number range';
    return { ok: false, reason: `is not a valid Vietnamese mobile or phone number (${why}), ${EXAMPLE}` };
  }
  return { ok: false, reason: `is not a valid phone number for country code +${parsed.countryCallingCode}` };
}

export const phoneSchema = z
  .string({ error: whenPresent(`must be a phone number as a string, ${EXAMPLE}`) })
  .transform((value, ctx) => {
    const result = normalizePhone(value);
    if (!result.ok) {
      ctx.issues.push({ code: 'custom', message: result.reason, input: value });
      return z.NEVER;
    }
    return result.e164;
  })
  .meta({
    title: 'Số điện thoại / Phone',
    description:
      'Số di động hoặc cố định, mặc định Việt Nam. Mobile or landline, Vietnam by default; accepted as typed (0905 123 456, 84905123456, +84 905 123 456) and normalized to E.164 (+84905123456). Old 11-digit prefixes (016x, 012x, ...) renumbered in 2018-2019 are refused.',
    examples: ['+84905123456'],
  });
