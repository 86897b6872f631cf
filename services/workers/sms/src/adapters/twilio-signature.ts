import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Twilio's request signature (X-Twilio-Signature): base64 HMAC-SHA1, keyed with the auth token,
 * of the full URL Twilio called followed by every POST parameter sorted by name, each as name then
 * value (repeated names: each distinct value, sorted). As documented by Twilio and implemented by
 * its libraries' validateRequest.
 */
export function twilioSignature(authToken: string, url: string, params: Readonly<Record<string, string | readonly string[]>>): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    if (value === undefined) continue;
    if (typeof value === 'string') data += name + value;
    else for (const v of [...new Set(value)].sort()) data += name + v;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

function withDefaultPort(url: URL): string {
  if (url.port) return url.href;
  const copy = new URL(url.href);
  // URL drops a default port when set; build the string by hand the way Twilio signs it.
  const port = copy.protocol === 'https:' ? '443' : '80';
  return `${copy.protocol}//${copy.username ? `${copy.username}${copy.password ? `:${copy.password}` : ''}@` : ''}${copy.hostname}:${port}${copy.pathname}${copy.search}${copy.hash}`;
}

function withoutPort(url: URL): string {
  const copy = new URL(url.href);
  copy.port = '';
  return copy.href;
}

/**
 * Checks a callback's signature against `url` (the public URL Twilio called, with its query) with
 * and without the port, since Twilio signs either depending on how the URL was configured.
 * Constant-time comparison.
 */
export function validateTwilioRequest(authToken: string, signature: string | undefined, url: string, params: Readonly<Record<string, string | readonly string[]>>): boolean {
  if (!signature || !authToken) return false;
  const parsed = new URL(url);
  const given = Buffer.from(signature);
  return [withoutPort(parsed), withDefaultPort(parsed)].some((candidate) => {
    const expected = Buffer.from(twilioSignature(authToken, candidate, params));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}
