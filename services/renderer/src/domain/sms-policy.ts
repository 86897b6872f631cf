import { cleanSmsText, foldToGsm7 } from './diacritics';
import { analyzeSms, costShape, type SmsEncoding } from './sms-segments';

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
  /** Free-text fields (or, as a last resort, any text not kept whole) cut short to fit. */
  shortened: boolean;
  /**
   * Over the cap by design: the parts kept whole (link, times, numbers) alone do not fit, and a
   * cut link or time is worse than an SMS one segment longer. Everything else is already gone.
   */
  overCap: boolean;
}

/**
 * Free text inside an SMS part can be marked as shortenable: the renderer wraps each free-text
 * field of the SMS view in these private-use characters (see `markShortenable`), so the policy
 * knows where a title or a place begins and ends in the rendered text. Tier 1 is cut first
 * (chair, issuing body, reasons), tier 2 only after (the title and the place): what, when,
 * where and the link are the message. Links, times and numbers are marked to be kept whole
 * (`markWhole`): the last resort cuts around them, never through them.
 */
const OPEN: Readonly<Record<ShortenTier, string>> = { 1: '\ue001', 2: '\ue002' };
const WHOLE_OPEN = '\ue003';
const CLOSE = '\ue000';
const MARKERS = /[\ue000-\ue003]/g;
export type ShortenTier = 1 | 2;

/** Shortest a marked field is cut to (in characters, before the ellipsis) before the next tier is touched. */
const MIN_KEEP: Readonly<Record<ShortenTier, number>> = { 1: 24, 2: 40 };
/** A cut moves back to a space when one is this close, so words stay whole. */
const WORD_SLACK = 12;

export function markShortenable(text: string, tier: ShortenTier): string {
  return `${OPEN[tier]}${text.replace(MARKERS, '')}${CLOSE}`;
}

/** Never cut, not even by the last resort: a cut link or time misleads; see `SmsPolicyResult.overCap`. */
export function markWhole(text: string): string {
  return `${WHOLE_OPEN}${text.replace(MARKERS, '')}${CLOSE}`;
}

/** 0: template text and unmarked fields, cut only by the last resort. */
type SpanKind = ShortenTier | 0 | 'whole';

interface Span {
  text: string;
  tier: SpanKind;
}

/** Lenient: a stray or unpaired marker only ends the current span; every marker is dropped. */
function spansOf(text: string): Span[] {
  const spans: Span[] = [];
  let tier: SpanKind = 0;
  let from = 0;
  const flush = (to: number): void => {
    if (to > from) spans.push({ text: text.slice(from, to), tier });
  };
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0xe000 || code > 0xe003) continue;
    flush(i);
    tier = code === 0xe001 ? 1 : code === 0xe002 ? 2 : code === 0xe003 ? 'whole' : 0;
    from = i + 1;
  }
  flush(text.length);
  return spans;
}

type Mode = 'keep' | 'strip';

/**
 * What one event's recipients share: an SMS that greets each by name defeats the renderer's memo
 * of whole texts, but its title, place and time are the same for all. Kept per event and
 * bounded, so a template that makes every piece personal only recomputes.
 */
export class SmsPolicyMemo {
  /** Folded "không dấu" text of each span (marked field or the template text between). */
  readonly folds = new Map<string, { text: string; removed: boolean }>();
  /** Where `shorten` cut, by `shapeKey`. */
  readonly plans = new Map<string, ReadonlyArray<readonly [number, number]>>();
}
const MEMO_MAX = 1024;

function remember<V>(map: Map<string, V>, key: string, value: V): V {
  if (map.size < MEMO_MAX) map.set(key, value);
  return value;
}

function fold(text: string, memo: SmsPolicyMemo | undefined): { text: string; removed: boolean } {
  if (memo === undefined) return foldToGsm7(text);
  const known = memo.folds.get(text);
  if (known !== undefined) return known;
  // Full of personal spans: start again, so this recipient's own span is folded once, not per
  // measurement, and the shared ones come back on the next SMS.
  if (memo.folds.size >= MEMO_MAX) memo.folds.clear();
  const folded = foldToGsm7(text);
  memo.folds.set(text, folded);
  return folded;
}

/** `stripDiacritics` of the text without its markers, folded span by span (see `foldToGsm7`). */
function stripMarked(marked: string, memo: SmsPolicyMemo | undefined): string {
  let out = '';
  let removed = false;
  for (const span of spansOf(marked)) {
    const folded = fold(span.text, memo);
    out += folded.text;
    removed ||= folded.removed;
  }
  // A removed symbol between two words leaves two spaces; one reads as intended.
  return removed ? out.replace(/ {2,}/g, ' ') : out;
}

/** The text's markers are dropped. */
const transform = (marked: string, mode: Mode, memo: SmsPolicyMemo | undefined): string =>
  mode === 'strip' ? stripMarked(marked, memo) : cleanSmsText(marked.replace(MARKERS, ''));

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

function cheapest(text: string, mode: SmsPolicy['diacritics'], memo: SmsPolicyMemo | undefined): Candidate {
  if (mode !== 'auto') return measure(transform(text, mode, memo), mode);
  const kept = measure(transform(text, 'keep', memo), 'keep');
  const stripped = measure(transform(text, 'strip', memo), 'strip');
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
 * The last resort's cut of a span that is not kept whole: down to `max` characters, and below
 * the room for a word and an ellipsis, to a mere space that keeps the parts around it apart.
 */
function cutAround(text: string, max: number, ellipsis: string): string {
  if (Array.from(text).length <= max) return text;
  // "Xem van ban: https://..." cut must read "Xem... https://...", not "Xem...https://...".
  const space = /\s$/u.test(text) ? ' ' : '';
  return max > Array.from(ellipsis).length + space.length ? `${clipTo(text, max - space.length, ellipsis)}${space}` : ' ';
}

interface Shortened extends Candidate {
  overCap: boolean;
}

/**
 * The key under which `shorten` remembers where it cut: recipients whose SMS differ only in
 * text it does not cut (a name in a greeting) share one search instead of thirty measurements
 * each. Everything the search reads: the marked and kept-whole text as it is, and of the template
 * text and unmarked fields their cost shape and the two ends the cut-field rules look at. The
 * last resort also reads their words, so its result is never remembered.
 */
function shapeKey(spans: readonly Span[], mode: Mode, maxSegments: number): string {
  let key = `${mode}${maxSegments}`;
  for (const { tier, text } of spans) {
    key += tier === 0 ? `\u0000${text.startsWith('.') ? '.' : ''}${/(\.\.\.|…)$/u.test(text) ? '…' : ''}|${costShape(text)}` : `\u0001${tier}|${text}`;
  }
  return key;
}

/**
 * The parts that must stay are still over the cap: cut marked fields, the least essential tier
 * first, each tier evenly (the longest field loses most), then, if even that cannot fit (an
 * unmarked field the size of a page, a cap of one segment), every span not kept whole, evenly,
 * so the cuts fall before and between the link, the times and the numbers, never inside them.
 * Never gives up: an SMS is not dropped for its length, and when the spans kept whole alone are
 * over the cap it goes out over the cap with only them (and what fits between) left.
 */
function shorten(text: string, mode: Mode, maxSegments: number, memo: SmsPolicyMemo | undefined): Shortened {
  // Each span on its own, so that a cut field's doubled spaces are its own.
  const spans = spansOf(text).map((s) => ({ ...s, text: transform(s.text, mode, memo) }));
  const key = memo === undefined ? undefined : shapeKey(spans, mode, maxSegments);
  const plan = key === undefined ? undefined : memo?.plans.get(key);
  const plain = spans.map((s) => s.text).join('');
  const ellipsis = analyzeSms(plain).encoding === 'GSM-7' ? '...' : '…';
  const limits = new Map<number, number>();
  let lastResort = false;
  const render = (): string => {
    let out = '';
    let cut = false;
    spans.forEach((span, i) => {
      // A template's full stop after a cut field would follow the ellipsis: "trien....".
      const text = cut && span.text.startsWith('.') ? span.text.slice(1) : span.text;
      const limit = limits.get(i) ?? Infinity;
      let clipped = lastResort ? cutAround(text, limit, ellipsis) : clipTo(text, limit, ellipsis);
      // Spans cut to a space must not leave two in a row, nor one at either end.
      if (lastResort && (out === '' || out.endsWith(' '))) clipped = clipped.replace(/^ +/, '');
      cut = clipped !== span.text && clipped.endsWith(ellipsis);
      out += clipped;
    });
    return lastResort ? out.trimEnd() : out;
  };
  const fits = (): boolean => analyzeSms(render()).segments <= maxSegments;
  const done = (overCap: boolean): Shortened => ({ ...measure(render(), mode), overCap });
  const found = (): Shortened => {
    if (key !== undefined && memo !== undefined) remember(memo.plans, key, [...limits]);
    return done(false);
  };
  if (plan !== undefined) {
    for (const [i, n] of plan) limits.set(i, n);
    return done(false);
  }

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
  const longest = (indexes: number[]): number => Math.max(0, ...indexes.map((i) => Array.from(spans[i]?.text ?? '').length));

  for (const tier of [1, 2] as const) {
    const indexes = spans.flatMap((s, i) => (s.tier === tier ? [i] : []));
    if (indexes.length === 0) continue;
    if (fill(indexes, Math.min(MIN_KEEP[tier], longest(indexes)), longest(indexes)) !== undefined) return found();
  }
  // Every marked field is at its minimum; down to a word or two before cutting anything else.
  const marked = spans.flatMap((s, i) => (s.tier === 1 || s.tier === 2 ? [i] : []));
  if (marked.length > 0 && fill(marked, 1, MIN_KEEP[1]) !== undefined) return found();

  lastResort = true;
  const cuttable = spans.flatMap((s, i) => (s.tier !== 'whole' ? [i] : []));
  // Fails only when the spans kept whole alone are over the cap: every other span is then at 0.
  return done(fill(cuttable, 0, longest(cuttable)) === undefined);
}

/**
 * Picks the text to send. Stripping diacritics is preferred over losing content: with 'auto',
 * each candidate is first made as cheap as it can be, and only then are optional parts dropped,
 * and only then are free-text fields shortened. Text is normalised to NFC first, because
 * decomposed input would count (and be billed) as UCS-2 with twice the units.
 */
export function applySmsPolicy(parts: ReadonlyArray<SmsPart>, policy: SmsPolicy, memo?: SmsPolicyMemo): SmsPolicyResult {
  const { maxSegments } = policy;
  if (maxSegments !== undefined && (!Number.isInteger(maxSegments) || maxSegments < 1)) {
    throw new RangeError(`maxSegments must be a positive integer, got ${maxSegments}`);
  }

  const kept = [...parts];
  let dropped = 0;
  for (;;) {
    const joined = kept.map((p) => p.text).join('');
    const best = cheapest(joined, policy.diacritics, memo);
    if (maxSegments === undefined || best.segments <= maxSegments) {
      return { ...best, dropped, shortened: false, overCap: false };
    }
    const lastOptional = kept.findLastIndex((p) => p.optional === true);
    if (lastOptional === -1) {
      // Stripped text holds about twice as much per segment, so 'auto' shortens that one.
      const mode: Mode = policy.diacritics === 'keep' ? 'keep' : 'strip';
      return { ...shorten(joined, mode, maxSegments, memo), dropped, shortened: true };
    }
    kept.splice(lastOptional, 1);
    dropped += 1;
  }
}
