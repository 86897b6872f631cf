import { cleanSmsText, stripDiacritics } from './diacritics';
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

export interface SmsPolicyResult {
  text: string;
  encoding: SmsEncoding;
  segments: number;
  diacritics: 'keep' | 'strip';
  /** Optional parts left out to fit the cap. */
  dropped: number;
  /** Free-text fields (or, as a last resort, the whole text) cut short with an ellipsis to fit. */
  shortened: boolean;
}

/**
 * Free text inside an SMS part can be marked as shortenable: the renderer wraps each free-text
 * field of the SMS view in these private-use characters (see `markShortenable`), so the policy
 * knows where a title or a place begins and ends in the rendered text. Tier 1 is cut first
 * (chair, issuing body, reasons), tier 2 only after (the title and the place): what, when,
 * where and the link are the message; dates and links are never marked.
 */
const OPEN: Readonly<Record<ShortenTier, string>> = { 1: '\ue001', 2: '\ue002' };
const CLOSE = '\ue000';
const MARKERS = /[\ue000-\ue002]/g;
export type ShortenTier = 1 | 2;

/** Shortest a marked field is cut to (in characters, before the ellipsis) before the next tier is touched. */
const MIN_KEEP: Readonly<Record<ShortenTier, number>> = { 1: 24, 2: 40 };
/** A cut moves back to a space when one is this close, so words stay whole. */
const WORD_SLACK = 12;

export function markShortenable(text: string, tier: ShortenTier): string {
  return `${OPEN[tier]}${text.replace(MARKERS, '')}${CLOSE}`;
}

interface Span {
  text: string;
  tier: ShortenTier | 0;
}

/** Lenient: a stray or unpaired marker only ends the current span; every marker is dropped. */
function spansOf(text: string): Span[] {
  const spans: Span[] = [];
  let tier: ShortenTier | 0 = 0;
  let from = 0;
  const flush = (to: number): void => {
    if (to > from) spans.push({ text: text.slice(from, to), tier });
  };
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0xe000 || code > 0xe002) continue;
    flush(i);
    tier = code === 0xe001 ? 1 : code === 0xe002 ? 2 : 0;
    from = i + 1;
  }
  flush(text.length);
  return spans;
}

type Mode = 'keep' | 'strip';

const transform = (text: string, mode: Mode): string => (mode === 'strip' ? stripDiacritics(text) : cleanSmsText(text));

interface Candidate {
  text: string;
  encoding: SmsEncoding;
  segments: number;
  diacritics: Mode;
}

function measure(text: string, diacritics: Mode): Candidate {
  const { encoding, segments } = analyzeSms(text);
  return { text, encoding, segments, diacritics };
}

function cheapest(text: string, mode: SmsPolicy['diacritics']): Candidate {
  if (mode !== 'auto') return measure(transform(text, mode), mode);
  const kept = measure(transform(text, 'keep'), 'keep');
  const stripped = measure(transform(text, 'strip'), 'strip');
  return stripped.segments < kept.segments ? stripped : kept;
}

/** At most `max` code points, the last ones an ellipsis; cut at a space when one is near. */
function clipTo(text: string, max: number, ellipsis: string): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const room = Math.max(0, max - Array.from(ellipsis).length);
  let cut = chars.slice(0, room).join('');
  const space = cut.lastIndexOf(' ');
  if (space > 0 && cut.length - space <= WORD_SLACK) cut = cut.slice(0, space);
  return `${cut.replace(/[\s,.;:–-]+$/u, '')}${ellipsis}`;
}

/**
 * The parts that must stay are still over the cap: cut marked fields, the least essential tier
 * first, each tier evenly (the longest field loses most), then, if even that cannot fit (an
 * unmarked field the size of a page), the whole text. Never gives up: an SMS is not dropped for
 * its length.
 */
function shorten(text: string, mode: Mode, maxSegments: number): Candidate {
  const spans = spansOf(text).map((s) => ({ ...s, text: transform(s.text, mode) }));
  const plain = spans.map((s) => s.text).join('');
  const ellipsis = analyzeSms(plain).encoding === 'GSM-7' ? '...' : '…';
  const limits = new Map<number, number>();
  const render = (): string => {
    let out = '';
    let cut = false;
    spans.forEach((span, i) => {
      // A template's full stop after a cut field would follow the ellipsis: "trien....".
      const text = cut && span.text.startsWith('.') ? span.text.slice(1) : span.text;
      const clipped = clipTo(text, limits.get(i) ?? Infinity, ellipsis);
      cut = clipped !== span.text && clipped.endsWith(ellipsis);
      out += clipped;
    });
    return out;
  };
  const fits = (): boolean => analyzeSms(render()).segments <= maxSegments;

  /** Largest per-field length in [low, high] that fits, or undefined when `low` does not. */
  function fill(indexes: number[], low: number, high: number): number | undefined {
    const set = (n: number): void => indexes.forEach((i) => limits.set(i, n));
    set(low);
    if (!fits()) return undefined;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      set(mid);
      if (fits()) low = mid;
      else high = mid - 1;
    }
    set(low);
    return low;
  }

  for (const tier of [1, 2] as const) {
    const indexes = spans.flatMap((s, i) => (s.tier === tier ? [i] : []));
    if (indexes.length === 0) continue;
    const longest = Math.max(...indexes.map((i) => Array.from(spans[i]?.text ?? '').length));
    if (fill(indexes, Math.min(MIN_KEEP[tier], longest), longest) !== undefined) return measure(render(), mode);
  }
  // Every marked field is at its minimum; down to a word or two before cutting the text itself.
  const marked = spans.flatMap((s, i) => (s.tier !== 0 ? [i] : []));
  if (marked.length > 0 && fill(marked, 1, MIN_KEEP[1]) !== undefined) return measure(render(), mode);

  const whole = render();
  let low = 0;
  let high = Array.from(whole).length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (analyzeSms(clipTo(whole, mid, ellipsis)).segments <= maxSegments) low = mid;
    else high = mid - 1;
  }
  return measure(clipTo(whole, low, ellipsis), mode);
}

/**
 * Picks the text to send. Stripping diacritics is preferred over losing content: with 'auto',
 * each candidate is first made as cheap as it can be, and only then are optional parts dropped,
 * and only then are free-text fields shortened. Text is normalised to NFC first, because
 * decomposed input would count (and be billed) as UCS-2 with twice the units.
 */
export function applySmsPolicy(parts: ReadonlyArray<SmsPart>, policy: SmsPolicy): SmsPolicyResult {
  const { maxSegments } = policy;
  if (maxSegments !== undefined && (!Number.isInteger(maxSegments) || maxSegments < 1)) {
    throw new RangeError(`maxSegments must be a positive integer, got ${maxSegments}`);
  }

  const kept = [...parts];
  let dropped = 0;
  for (;;) {
    const joined = kept.map((p) => p.text).join('');
    const best = cheapest(joined.replace(MARKERS, ''), policy.diacritics);
    if (maxSegments === undefined || best.segments <= maxSegments) {
      return { ...best, dropped, shortened: false };
    }
    const lastOptional = kept.findLastIndex((p) => p.optional === true);
    if (lastOptional === -1) {
      // Stripped text holds about twice as much per segment, so 'auto' shortens that one.
      const mode: Mode = policy.diacritics === 'keep' ? 'keep' : 'strip';
      return { ...shorten(joined, mode, maxSegments), dropped, shortened: true };
    }
    kept.splice(lastOptional, 1);
    dropped += 1;
  }
}
