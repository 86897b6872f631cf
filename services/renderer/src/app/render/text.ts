/** Shaping rendered text to what each channel accepts. */

const ELLIPSIS = '…';

/** At most `max` UTF-16 units (what the contracts count), cut on a code point, ending in "…". */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - ELLIPSIS.length;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1; // do not split a surrogate pair
  return `${text.slice(0, end).trimEnd()}${ELLIPSIS}`;
}

/** At most `maxBytes` of UTF-8, for payloads with a byte budget (web push). */
export function clipBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const budget = maxBytes - Buffer.byteLength(ELLIPSIS, 'utf8');
  if (budget <= 0) return '';
  let bytes = 0;
  let end = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > budget) break;
    bytes += size;
    end += ch.length;
  }
  return `${text.slice(0, end).trimEnd()}${ELLIPSIS}`;
}

/** Subjects and titles: one line, single spaces. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Multi-line text bodies: no trailing spaces, at most one empty line in a row, no blank edges.
 * Lets templates use `{{#if}}` lines freely without leaving holes when a field is null.
 */
export function tidyText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
