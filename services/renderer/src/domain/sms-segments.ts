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

const LIMITS: Readonly<Record<SmsEncoding, { single: number; perPart: number }>> = {
  'GSM-7': { single: 160, perPart: 153 },
  'UCS-2': { single: 70, perPart: 67 },
};

/** Cost in septets, or undefined when the character is outside GSM-7. */
function gsmCost(ch: string): 1 | 2 | undefined {
  if (GSM_BASIC_SET.has(ch)) return 1;
  if (GSM_EXTENSION_SET.has(ch)) return 2;
  return undefined;
}

/** True when the character (one code point) is in the GSM-7 default alphabet or its extension table. */
export function isGsm7(ch: string): boolean {
  return GSM_BASIC_SET.has(ch) || GSM_EXTENSION_SET.has(ch);
}

/** Each element is one indivisible unit group: a character's septets or a code point's UTF-16 units. */
function unitCosts(text: string): { encoding: SmsEncoding; costs: number[] } {
  const chars = Array.from(text); // by code point, so a surrogate pair stays whole
  const gsm: number[] = [];
  for (const ch of chars) {
    const cost = gsmCost(ch);
    if (cost === undefined) return { encoding: 'UCS-2', costs: chars.map((c) => c.length) };
    gsm.push(cost);
  }
  return { encoding: 'GSM-7', costs: gsm };
}

export function analyzeSms(text: string): SmsAnalysis {
  const { encoding, costs } = unitCosts(text);
  const units = costs.reduce((sum, c) => sum + c, 0);
  const { single, perPart } = LIMITS[encoding];
  if (units <= single) return { encoding, units, segments: 1 };

  let segments = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > perPart) {
      segments += 1;
      used = 0;
    }
    used += cost;
  }
  return { encoding, units, segments };
}
