import { formatPath, type ContractIssue } from './issues';
import { isPlainObject } from './primitives';

/**
 * One cleaning step for every string a sending system or an operator gives us, applied before
 * the schemas see the input, so no field can be forgotten:
 *
 * - NFC: decomposed text (macOS, some web forms) otherwise reaches subjects and inboxes as
 *   letters plus combining marks, which mail clients and the console do not find by search.
 * - Ill-formed UTF-16 (a lone surrogate) is refused, naming the field, rather than replaced:
 *   a replacement character in a name is a silent corruption the sending system would want to
 *   hear about, and a stored lone surrogate breaks JSON encoders downstream (Redis cjson).
 * - Terminal escape sequences, C0/C1 controls (tab and line feed stay; CR LF and the Unicode
 *   line separators become a line feed), bidi embeddings, overrides and isolates, and stray byte
 *   order marks are removed: they are invisible in a console yet can reorder or hide what an
 *   operator or recipient reads.
 */

const LINE_BREAKS = /\r\n?|[\u2028\u2029\u0085]/g;
/** CSI (ESC [ or the C1 byte), OSC (ESC ] ... BEL or ST) and the two-byte ESC sequences. */
// eslint-disable-next-line no-control-regex
const ANSI_ESCAPES = /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]?|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-Z\\-_]?/g;
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]/g;

/** Deeper than any contract; zod refuses such input anyway, and recursion stays bounded. */
const MAX_DEPTH = 32;

export const ILL_FORMED_MESSAGE =
  'contains ill-formed Unicode (a lone UTF-16 surrogate, e.g. "\\ud800"); send the text as valid UTF-8 or UTF-16';

/** String.prototype.isWellFormed is in Node 20 (engines: >=20.19); the ES2023 typings we compile with lack it. */
const isWellFormed = (String.prototype as unknown as { isWellFormed: (this: string) => boolean }).isWellFormed;

export function hasIllFormedUnicode(text: string): boolean {
  return !isWellFormed.call(text);
}

const CONTROLS = 1;
/** Characters NFC might change; precomposed Vietnamese letters (U+1E00-U+1EFF) and Latin below U+0300 never change. */
const MAYBE_NOT_NFC = 2;
const SURROGATE = 4;

/**
 * One pass over the char codes instead of a regex per concern: events are parsed on the hot path
 * of the intake and the renderer, and almost every string is clean and already NFC.
 */
function scan(text: string): number {
  let found = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20) {
      if (c !== 0x0a && c !== 0x09) found |= CONTROLS;
    } else if (c < 0x7f || (c > 0x9f && c < 0x300) || (c >= 0x1e00 && c <= 0x1eff)) {
      continue;
    } else if (c <= 0x9f) {
      found |= CONTROLS;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      found |= SURROGATE | MAYBE_NOT_NFC;
    } else if (c === 0x061c || c === 0x200e || c === 0x200f || (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c === 0xfeff || c >= 0xfffe) {
      found |= CONTROLS;
    } else {
      found |= MAYBE_NOT_NFC;
    }
  }
  return found;
}

function clean(text: string, found: number): string {
  const visible = found & CONTROLS ? text.replace(LINE_BREAKS, '\n').replace(ANSI_ESCAPES, '').replace(INVISIBLE, '') : text;
  return found & MAYBE_NOT_NFC ? visible.normalize('NFC') : visible;
}

/** The cleaned text of a well-formed string; see the module comment for what is removed. */
export function cleanText(text: string): string {
  return clean(text, scan(text));
}

export type CleanResult = { ok: true; value: unknown } | { ok: false; issues: ContractIssue[] };

/**
 * Every string of a JSON-shaped input, cleaned; the input is not changed (copy on write, so
 * clean input comes back as the same object). Ill-formed strings are reported with their path.
 */
export function cleanInputText(input: unknown): CleanResult {
  const issues: ContractIssue[] = [];
  const path: PropertyKey[] = [];

  function walk(value: unknown): unknown {
    if (typeof value === 'string') {
      const found = scan(value);
      if (found === 0) return value;
      if (found & SURROGATE && hasIllFormedUnicode(value)) {
        issues.push({ path: formatPath(path), message: ILL_FORMED_MESSAGE });
        return value;
      }
      return clean(value, found);
    }
    if (path.length >= MAX_DEPTH) return value;
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        path.push(i);
        const cleaned = walk(item);
        path.pop();
        if (cleaned !== item) (out ??= value.slice())[i] = cleaned;
      }
      return out ?? value;
    }
    if (!isPlainObject(value)) return value;
    let out: Record<string, unknown> | undefined;
    for (const key of Object.keys(value)) {
      const item = value[key];
      path.push(key);
      const cleaned = walk(item);
      path.pop();
      // defineProperty: a JSON key "__proto__" must stay a key, not become the prototype.
      if (cleaned !== item) Object.defineProperty((out ??= { ...value }), key, { value: cleaned, writable: true, enumerable: true, configurable: true });
    }
    return out ?? value;
  }

  const value = walk(input);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value };
}
