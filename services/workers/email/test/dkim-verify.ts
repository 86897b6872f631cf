import { createHash, verify, type KeyObject } from 'node:crypto';

/**
 * A minimal DKIM verifier (RFC 6376, rsa-sha256, relaxed or simple canonicalization) for tests:
 * enough to show the relay received a signature that a receiving server would accept.
 */
export interface DkimCheck {
  tags: Record<string, string>;
  bodyHashMatches: boolean;
  signatureValid: boolean;
}

interface Field {
  name: string;
  /** The whole field as received, folding included, without the final CRLF. */
  raw: string;
}

function splitMessage(raw: Buffer): { fields: Field[]; body: string } {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  const body = end < 0 ? '' : text.slice(end + 4);
  const fields: Field[] = [];
  for (const line of head.split('\r\n')) {
    const last = fields[fields.length - 1];
    if (/^[ \t]/.test(line) && last) {
      last.raw += `\r\n${line}`;
    } else {
      fields.push({ name: line.slice(0, line.indexOf(':')).trim().toLowerCase(), raw: line });
    }
  }
  return { fields, body };
}

function relaxedHeader(raw: string): string {
  const colon = raw.indexOf(':');
  const name = raw.slice(0, colon).trim().toLowerCase();
  const value = raw
    .slice(colon + 1)
    .replace(/\r\n/g, '')
    .replace(/[ \t]+/g, ' ')
    .trim();
  return `${name}:${value}`;
}

function canonicalBody(body: string, mode: string): string {
  let lines = body.split('\r\n');
  if (mode === 'relaxed') lines = lines.map((l) => l.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) return mode === 'relaxed' ? '' : '\r\n';
  return `${lines.join('\r\n')}\r\n`;
}

export function checkDkim(raw: Buffer, publicKey: KeyObject): DkimCheck {
  const { fields, body } = splitMessage(raw);
  const signature = fields.find((f) => f.name === 'dkim-signature');
  if (!signature) throw new Error('no DKIM-Signature header');
  const tagText = signature.raw.slice(signature.raw.indexOf(':') + 1).replace(/\s+/g, '');
  const tags: Record<string, string> = {};
  for (const part of tagText.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) tags[part.slice(0, eq)] = part.slice(eq + 1);
  }
  const [headerMode = 'simple', bodyMode = 'simple'] = (tags.c ?? 'simple/simple').split('/');

  const bodyHash = createHash('sha256').update(canonicalBody(body, bodyMode), 'latin1').digest('base64');

  const unused = [...fields];
  const signed: string[] = [];
  for (const name of (tags.h ?? '').toLowerCase().split(':')) {
    for (let i = unused.length - 1; i >= 0; i -= 1) {
      const field = unused[i];
      if (field && field.name === name && field !== signature) {
        signed.push(headerMode === 'relaxed' ? relaxedHeader(field.raw) : field.raw);
        unused.splice(i, 1);
        break;
      }
    }
  }
  const withoutB = signature.raw.replace(/(;\s*b\s*=)[^;]*/, '$1');
  const own = headerMode === 'relaxed' ? relaxedHeader(withoutB) : withoutB;
  const data = [...signed, own].join('\r\n');
  const signatureValid = verify('RSA-SHA256', Buffer.from(data, 'latin1'), publicKey, Buffer.from(tags.b ?? '', 'base64'));
  return { tags, bodyHashMatches: bodyHash === tags.bh, signatureValid };
}
