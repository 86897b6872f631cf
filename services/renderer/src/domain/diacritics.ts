/**
 * "Không dấu" text for SMS: Vietnamese letters carry their marks as combining characters after
 * NFD, except đ/Đ, which have no decomposition and need an explicit map. Typographic punctuation
 * is folded too, because a single curly quote or en dash is enough to force UCS-2 and double
 * the cost of a message.
 */

const COMBINING_MARKS = /[\u0300-\u036f]/g;

const PUNCTUATION_TO_ASCII: ReadonlyMap<string, string> = new Map([
  ['\u0111', 'd'], // đ
  ['\u0110', 'D'], // Đ
  ['\u2018', "'"], // ‘
  ['\u2019', "'"], // ’
  ['\u201a', "'"], // ‚
  ['\u201b', "'"], // ‛
  ['\u201c', '"'], // “
  ['\u201d', '"'], // ”
  ['\u201e', '"'], // „
  ['\u2010', '-'], // hyphen
  ['\u2011', '-'], // non-breaking hyphen
  ['\u2012', '-'], // figure dash
  ['\u2013', '-'], // – en dash
  ['\u2014', '-'], // — em dash
  ['\u2015', '-'], // horizontal bar
  ['\u2212', '-'], // minus sign
  ['\u2026', '...'], // … ellipsis
  ['\u00a0', ' '], // no-break space
  ['\u2007', ' '], // figure space
  ['\u202f', ' '], // narrow no-break space
]);

const MAPPED = new RegExp(`[${[...PUNCTUATION_TO_ASCII.keys()].join('')}]`, 'g');

export function stripDiacritics(text: string): string {
  return text
    .normalize('NFD')
    .replace(COMBINING_MARKS, '')
    .replace(MAPPED, (ch) => PUNCTUATION_TO_ASCII.get(ch) ?? ch)
    .normalize('NFC');
}
