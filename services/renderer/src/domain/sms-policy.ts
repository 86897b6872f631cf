import { stripDiacritics } from './diacritics';
import { analyzeSms, type SmsEncoding } from './sms-segments';

export interface SmsPart {
  /** Joined as is: a part carries its own leading separator (", ", "\n", ...). */
  text: string;
  /** May be dropped, last first, when the message is over the segment cap. */
  optional?: boolean;
}

export interface SmsPolicy {
  /** 'auto' strips only when that saves at least one segment; at equal cost the marks stay. */
  diacritics: 'keep' | 'strip' | 'auto';
  maxSegments?: number;
}

export type SmsPolicyResult =
  | { ok: true; text: string; encoding: SmsEncoding; segments: number; diacritics: 'keep' | 'strip'; dropped: number }
  | { ok: false; reason: string; segments: number };

interface Candidate {
  text: string;
  encoding: SmsEncoding;
  segments: number;
  diacritics: 'keep' | 'strip';
}

function candidate(text: string, diacritics: 'keep' | 'strip'): Candidate {
  const final = diacritics === 'strip' ? stripDiacritics(text) : text;
  const { encoding, segments } = analyzeSms(final);
  return { text: final, encoding, segments, diacritics };
}

function cheapest(text: string, mode: SmsPolicy['diacritics']): Candidate {
  if (mode !== 'auto') return candidate(text, mode);
  const kept = candidate(text, 'keep');
  const stripped = candidate(text, 'strip');
  return stripped.segments < kept.segments ? stripped : kept;
}

/**
 * Picks the text to send. Stripping diacritics is preferred over losing content: with 'auto',
 * each candidate is first made as cheap as it can be, and only then are optional parts dropped.
 * Text is normalised to NFC first, because decomposed input would count (and be billed) as UCS-2
 * with twice the units.
 */
export function applySmsPolicy(parts: ReadonlyArray<SmsPart>, policy: SmsPolicy): SmsPolicyResult {
  const { maxSegments } = policy;
  if (maxSegments !== undefined && (!Number.isInteger(maxSegments) || maxSegments < 1)) {
    throw new RangeError(`maxSegments must be a positive integer, got ${maxSegments}`);
  }

  const kept = [...parts];
  let dropped = 0;
  for (;;) {
    const best = cheapest(
      kept
        .map((p) => p.text)
        .join('')
        .normalize('NFC'),
      policy.diacritics,
    );
    if (maxSegments === undefined || best.segments <= maxSegments) {
      return { ok: true, ...best, dropped };
    }
    const lastOptional = kept.findLastIndex((p) => p.optional === true);
    if (lastOptional === -1) {
      const after = dropped > 0 ? ` after dropping ${dropped} optional part(s)` : '';
      const marks = best.diacritics === 'strip' ? 'without' : 'with';
      return {
        ok: false,
        reason: `SMS needs ${best.segments} segments (${best.encoding}, ${marks} diacritics)${after}, over the cap of ${maxSegments}`,
        segments: best.segments,
      };
    }
    kept.splice(lastOptional, 1);
    dropped += 1;
  }
}
