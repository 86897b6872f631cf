import { hash } from 'node:crypto';
import { encodeWord, foldLines, isPlainText } from 'nodemailer/lib/mime-funcs';

/**
 * Builds a notification email as one buffer, with plain string work: the same structure
 * nodemailer's MailComposer writes (multipart/mixed › multipart/alternative of text, HTML and the
 * calendar request, plus the invite.ics attachment), without its stream per part, which was the
 * email worker's largest cost (docs/adr/0004-hand-built-mime.md).
 * Header words are encoded with nodemailer's own MIME functions (RFC 2047, UTF-8, base64), every
 * body part is base64 (Vietnamese text), lines end in CRLF. The boundaries come from the message
 * id, so a retry produces the same bytes; base64 never contains "_", so a boundary cannot occur in
 * a part.
 */
export interface Mailbox {
  name?: string;
  address: string;
}

export interface ComposedMail {
  from: Mailbox;
  to: Mailbox;
  subject: string;
  text: string;
  html: string;
  /** Already in angle brackets: `<id@domain>`. */
  messageId: string;
  date: Date;
  headers: Record<string, string>;
  calendar?: { method: string; ics: string; filename: string };
}

const CRLF = '\r\n';

function header(name: string, value: string): string {
  return foldLines(`${name}: ${value}`, 76);
}

/** A header value never carries a line break of its own: that would start a new header (injection). */
function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}

/**
 * RFC 2047 words for header text. One event's emails share their sender and subject, so the
 * encodings are kept (a bounded map, emptied when full): encodeWord is a large share of composing
 * an email (docs/benchmarks.md, "What changed CPU per message", change 1).
 */
const encodedWords = new Map<string, string>();
function encodeHeaderWords(text: string): string {
  let encoded = encodedWords.get(text);
  if (encoded === undefined) {
    encoded = encodeWord(text, 'B', 52);
    if (encodedWords.size >= 1000) encodedWords.clear();
    encodedWords.set(text, encoded);
  }
  return encoded;
}

function encodedText(value: string): string {
  const line = oneLine(value);
  return isPlainText(line) ? line : encodeHeaderWords(line);
}

function formatMailbox(box: Mailbox): string {
  if (!box.name) return `<${oneLine(box.address)}>`;
  const plain = oneLine(box.name);
  const name = isPlainText(plain) ? `"${plain.replace(/["\\]/g, '\\$&')}"` : encodeHeaderWords(plain);
  return `${name} <${oneLine(box.address)}>`;
}

/** Base64 in lines of 76 (a slice per line: the per-email hot path, cheaper than a regex over it). */
function base64Lines(value: string): string {
  const encoded = Buffer.from(value, 'utf8').toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < encoded.length; i += 76) lines.push(encoded.slice(i, i + 76));
  return lines.join(CRLF);
}

function part(contentType: string, base64Body: string, extra: string[] = []): string {
  return [`Content-Type: ${contentType}`, ...extra, 'Content-Transfer-Encoding: base64', '', base64Body].join(CRLF);
}

/** RFC 5322 date in UTC, as MailComposer writes it. */
function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

export function composeMime(mail: ComposedMail): Buffer {
  const tag = hash('sha256', mail.messageId, 'hex').slice(0, 24);
  const mixed = `--_gw_${tag}_mixed`;
  const alternative = `--_gw_${tag}_alt`;
  const headers = [
    ...Object.entries(mail.headers).map(([k, v]) => header(k, encodedText(v))),
    header('From', formatMailbox(mail.from)),
    header('To', formatMailbox(mail.to)),
    header('Subject', encodedText(mail.subject)),
    header('Message-ID', mail.messageId),
    header('Date', rfc5322Date(mail.date)),
    'MIME-Version: 1.0',
  ];
  // The calendar goes twice (inline request and invite.ics attachment): encoded once.
  const ics = mail.calendar ? base64Lines(mail.calendar.ics) : '';
  const alternatives = [part('text/plain; charset=utf-8', base64Lines(mail.text)), part('text/html; charset=utf-8', base64Lines(mail.html))];
  if (mail.calendar) alternatives.push(part(`text/calendar; charset=utf-8; method=${mail.calendar.method}`, ics));
  const alternativeBody = [`Content-Type: multipart/alternative;${CRLF} boundary="${alternative}"`, '', ...alternatives.map((p) => `--${alternative}${CRLF}${p}`), `--${alternative}--`, ''].join(CRLF);

  let body: string;
  if (mail.calendar) {
    const file = mail.calendar.filename.replace(/[^A-Za-z0-9._-]/g, '_');
    const attachment = part(`application/ics; name=${file}`, ics, [`Content-Disposition: attachment; filename=${file}`]);
    headers.push(`Content-Type: multipart/mixed; boundary="${mixed}"`);
    body = ['', `--${mixed}`, alternativeBody, `--${mixed}`, attachment, `--${mixed}--`, ''].join(CRLF);
  } else {
    // The alternative part's own header lines become the message's.
    const [typeLine = '', ...rest] = alternativeBody.split(`${CRLF}${CRLF}`);
    headers.push(typeLine);
    body = ['', rest.join(`${CRLF}${CRLF}`)].join(CRLF);
  }
  return Buffer.from(`${headers.join(CRLF)}${CRLF}${body}`, 'utf8');
}
