/**
 * Exact SMS segment counting (3GPP TS 23.038 default alphabet, TS 23.040 concatenation).
 * A concatenated part carries a 6-octet user data header, which leaves 153 septets (GSM-7) or
 * 67 UTF-16 units (UCS-2) per part instead of 160 / 70. Phones and gateways never split an
 * escape pair or a surrogate pair across parts, so a part can end up one unit short; counting
 * with plain division under-counts exactly in those cases.
 */

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsAnalysis {
  encoding: SmsEncoding;
  /** Septets for GSM-7 (extension characters count 2), UTF-16 code units for UCS-2. */
  units: number;
  /** Never 0: an empty message still goes out as one (empty) segment, as phones show it. */
  segments: number;
}

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** Sent as ESC + a code, so each costs 2 septets. Form feed is part of the table too. */
const GSM_EXTENSION = '\f^{}\\[~]|€';

const GSM_BASIC_SET: ReadonlySet<string> = new Set(GSM_BASIC);
const GSM_EXTENSION_SET: ReadonlySet<string> = new Set(GSM_EXTENSION);

/** Septets per UTF-16 unit, 0 outside GSM-7: every GSM-7 character is one unit of the BMP. */
const GSM_COSTS = new Uint8Array(0x10000);
for (const ch of GSM_BASIC) GSM_COSTS[ch.charCodeAt(0)] = 1;
for (const ch of GSM_EXTENSION) GSM_COSTS[ch.charCodeAt(0)] = 2;

const charClass = (chars: string): string => Array.from(chars, (ch) => `\\u{${(ch.codePointAt(0) ?? 0).toString(16)}}`).join('');
/** Every code point outside GSM-7 (basic and extension tables), for replacing. */
export const NON_GSM7 = new RegExp(`[^${charClass(GSM_BASIC + GSM_EXTENSION)}]`, 'gu');

const LIMITS: Readonly<Record<SmsEncoding, { single: number; perPart: number }>> = {
  'GSM-7': { single: 160, perPart: 153 },
  'UCS-2': { single: 70, perPart: 67 },
};

/** True when the character (one code point) is in the GSM-7 default alphabet or its extension table. */
export function isGsm7(ch: string): boolean {
  return GSM_BASIC_SET.has(ch) || GSM_EXTENSION_SET.has(ch);
}

/**
 * All that `analyzeSms` reads of a text: one letter per code point (GSM-7 basic, GSM-7
 * extension, other BMP, astral). Texts of one shape have equal counts, and so do the same
 * cuts made to them, which lets one event's recipients share the search for where to cut.
 */
const SHAPE_LETTERS = 'uab';

export function costShape(text: string): string {
  let shape = '';
  for (const ch of text) shape += ch.length === 2 ? 's' : (SHAPE_LETTERS[GSM_COSTS[ch.charCodeAt(0)] ?? 0] ?? 'u');
  return shape;
}

/*
 * A fan-out measures every recipient's SMS several times (bench/sms-shorten.bench.ts), so this
 * walks UTF-16 units over a table instead of splitting the text into strings.
 */
export function analyzeSms(text: string): SmsAnalysis {
  let units = 0;
  let escapes = false;
  for (let i = 0; i < text.length; i++) {
    const cost = GSM_COSTS[text.charCodeAt(i)] ?? 0;
    if (cost === 0) return ucs2(text);
    if (cost === 2) escapes = true;
    units += cost;
  }
  const { single, perPart } = LIMITS['GSM-7'];
  if (units <= single) return { encoding: 'GSM-7', units, segments: 1 };
  if (!escapes) return { encoding: 'GSM-7', units, segments: Math.ceil(units / perPart) };
  let segments = 1;
  let used = 0;
  for (let i = 0; i < text.length; i++) {
    const cost = GSM_COSTS[text.charCodeAt(i)] ?? 0;
    if (used + cost > perPart) {
      segments += 1;
      used = 0;
    }
    used += cost;
  }
  return { encoding: 'GSM-7', units, segments };
}

const isHigh = (unit: number): boolean => unit >= 0xd800 && unit <= 0xdbff;
const isLow = (unit: number): boolean => unit >= 0xdc00 && unit <= 0xdfff;

/** A surrogate pair is one code point of 2 units that no part boundary splits; a lone surrogate is 1. */
function ucs2(text: string): SmsAnalysis {
  const units = text.length;
  const { single, perPart } = LIMITS['UCS-2'];
  if (units <= single) return { encoding: 'UCS-2', units, segments: 1 };
  let segments = 1;
  let used = 0;
  for (let i = 0; i < text.length; i++) {
    const cost = isHigh(text.charCodeAt(i)) && isLow(text.charCodeAt(i + 1)) ? 2 : 1;
    if (used + cost > perPart) {
      segments += 1;
      used = 0;
    }
    used += cost;
    i += cost - 1;
  }
  return { encoding: 'UCS-2', units, segments };
}
