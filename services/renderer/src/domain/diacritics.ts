import { NON_GSM7 } from './sms-segments';

/**
 * SMS text. Vietnamese letters carry their marks as combining characters after decomposition,
 * except đ/Đ (and their look-alikes ð/Ð, common in text converted from TCVN3), which have no
 * decomposition and need an explicit map.
 *
 * "Không dấu" text must end up wholly in the GSM-7 alphabet: a single character outside it (a
 * curly quote, a bullet, a zero-width space from a web form) forces UCS-2 for the whole message,
 * which more than doubles its segments. So after stripping the marks, typographic punctuation is
 * folded to ASCII, compatibility forms are decomposed (NFKD: full-width letters, ligatures,
 * superscripts, "…"), a table maps what has a sensible reading, and whatever is still outside
 * GSM-7 is removed.
 */

const COMBINING_MARKS = /\p{M}/gu;

const TO_GSM: ReadonlyMap<string, string> = new Map([
  ['\u0111', 'd'], // đ
  ['\u0110', 'D'], // Đ
  ['\u00f0', 'd'], // ð, TCVN3 look-alike of đ
  ['\u00d0', 'D'], // Ð, TCVN3 look-alike of Đ
  ['\u2018', "'"], // ‘
  ['\u2019', "'"], // ’
  ['\u201a', "'"], // ‚
  ['\u201b', "'"], // ‛
  ['\u2032', "'"], // ′
  ['\u2039', "'"], // ‹
  ['\u203a', "'"], // ›
  ['`', "'"], // not in GSM-7
  ['\u00b4', "'"], // ´
  ['\u201c', '"'], // “
  ['\u201d', '"'], // ”
  ['\u201e', '"'], // „
  ['\u201f', '"'], // ‟
  ['\u2033', '"'], // ″
  ['\u00ab', '"'], // «
  ['\u00bb', '"'], // »
  ['\u2010', '-'], // hyphen
  ['\u2011', '-'], // non-breaking hyphen
  ['\u2012', '-'], // figure dash
  ['\u2013', '-'], // – en dash
  ['\u2014', '-'], // — em dash
  ['\u2015', '-'], // horizontal bar
  ['\u2212', '-'], // minus sign
  ['\u2022', '-'], // • bullet
  ['\u2023', '-'], // ‣
  ['\u2043', '-'], // ⁃
  ['\u2219', '-'], // ∙
  ['\u00b7', '-'], // · middle dot
  ['\u25cf', '-'], // ●
  ['\u25e6', '-'], // ◦
  ['\u25aa', '-'], // ▪
  ['\u25a0', '-'], // ■
  ['\u2192', '->'], // →
  ['\u00b0', 'o'], // ° as written without marks: "25oC"
  ['\u00ba', 'o'], // º
  ['\u00d7', 'x'], // ×
  ['\u00f7', '/'], // ÷
  ['\u2044', '/'], // fraction slash, from NFKD of ½
  ['\u2215', '/'], // division slash
  ['\u00b1', '+/-'], // ±
  ['\u00a9', '(c)'], // ©
  ['\u00ae', '(R)'], // ®
  ['\u0152', 'OE'], // Œ
  ['\u0153', 'oe'], // œ
  ['\u0141', 'L'], // Ł
  ['\u0142', 'l'], // ł
  ['\u0131', 'i'], // ı
  ['\u00de', 'Th'], // Þ
  ['\u00fe', 'th'], // þ
  ['\t', ' '], // not in GSM-7
  ['\u2028', '\n'],
  ['\u2029', '\n'],
]);

/** Every space separator (NBSP, narrow NBSP, figure space, ...) is a plain space. */
const SPACES = /[\p{Zs}]/gu;
/** Invisible in any encoding: zero-width spaces and joiners, soft hyphen, BOM, bidi and other format controls. */
const INVISIBLE = /[\p{Cf}\p{Cc}]/gu;

/**
 * Invisible characters removed and spaces made plain: for SMS with marks kept (UCS-2), where
 * every other character can be sent as it is.
 */
export function cleanSmsText(text: string): string {
  return text
    .normalize('NFC')
    .replace(/\t|\u2028|\u2029/g, (ch) => (ch === '\t' ? ' ' : '\n'))
    .replace(INVISIBLE, (ch) => (ch === '\n' || ch === '\r' ? ch : ''))
    .replace(SPACES, ' ');
}

/** "Không dấu": the text in the GSM-7 alphabet only; see the module comment. */
export function stripDiacritics(text: string): string {
  const folded = foldToGsm7(text);
  // A removed symbol between two words leaves two spaces; one reads as intended.
  return folded.removed ? folded.text.replace(/ {2,}/g, ' ') : folded.text;
}

/**
 * `stripDiacritics` before its clean-up of doubled spaces: character by character (marks are
 * removed, never composed), so pieces folded one by one and joined equal the whole folded, and
 * a fan-out folds each shared piece of its SMS once.
 */
export function foldToGsm7(text: string): { text: string; removed: boolean } {
  let removed = false;
  // Line breaks need no case of their own: LF and CR are both in GSM-7's basic table.
  const out = text
    .normalize('NFKD')
    .replace(COMBINING_MARKS, '')
    .replace(SPACES, ' ')
    .replace(NON_GSM7, (ch) => {
      const mapped = TO_GSM.get(ch);
      if (mapped === undefined) removed = true;
      return mapped ?? '';
    });
  return { text: out, removed };
}
