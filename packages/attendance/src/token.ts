import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A personal link is `<PUBLIC_BASE_URL>/x/<code>`: the code is 12 base62 characters (71 bits) of
 * HMAC-SHA256 under the server secret over the source, meeting and person, so it cannot be guessed
 * or made for another person without the secret, and an SMS can carry it whole. The link store
 * maps the code back to its binding and expiry; the page recomputes the code from what the store
 * returned, so a record that does not belong to its code is refused as well.
 */
export interface LinkBinding {
  source: string;
  meetingId: string;
  personId: string;
}

export const LINK_CODE_LENGTH = 12;
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const CODE_PATTERN = new RegExp(`^[0-9A-Za-z]{${LINK_CODE_LENGTH}}$`);
const MIN_SECRET_LENGTH = 32;

export function checkSecret(secret: string): void {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) throw new TypeError(`the attendance link secret must be at least ${MIN_SECRET_LENGTH} characters`);
}

function hmac(secret: string, text: string): Buffer {
  return createHmac('sha256', secret).update(text, 'utf8').digest();
}

function base62(bytes: Buffer, length: number): string {
  let n = BigInt(`0x${bytes.toString('hex')}`);
  let out = '';
  for (let i = 0; i < length; i++) {
    out += ALPHABET[Number(n % 62n)];
    n /= 62n;
  }
  return out;
}

/** None of the parts can hold a line break (ids and sources are restricted by the contracts). */
export function linkCode(secret: string, binding: LinkBinding): string {
  checkSecret(secret);
  return base62(hmac(secret, `link\n${binding.source}\n${binding.meetingId}\n${binding.personId}`), LINK_CODE_LENGTH);
}

export function isLinkCode(code: string): boolean {
  return CODE_PATTERN.test(code);
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export function verifyLinkCode(secret: string, code: string, binding: LinkBinding): boolean {
  return isLinkCode(code) && sameText(linkCode(secret, binding), code);
}

/**
 * The token the page puts in its form: a POST must come from a page this server rendered for this
 * code (no cookies are used, so there is no ambient authority to forge; the token stops blind posts).
 */
export function formToken(secret: string, code: string): string {
  checkSecret(secret);
  return hmac(secret, `form\n${code}`).toString('base64url');
}

export function verifyFormToken(secret: string, code: string, token: string): boolean {
  return typeof token === 'string' && sameText(formToken(secret, code), token);
}

export function linkUrl(publicBaseUrl: string, code: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/x/${code}`;
}
