import { createDecipheriv, createECDH, createHmac, createPublicKey, randomBytes, verify, type ECDH } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** Self-signed certificate for 127.0.0.1 (test only): web-push speaks HTTPS only. */
export const LOOPBACK_TLS = {
  key: readFileSync(join(__dirname, 'fixtures', 'loopback-tls.key'), 'utf8'),
  cert: readFileSync(join(__dirname, 'fixtures', 'loopback-tls.crt'), 'utf8'),
};

export interface PushRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The Location the service answered with (the message's id at the push service), when it accepted. */
  location?: string;
}

export interface PushAnswer {
  /** 'hang': reads the request and never answers. */
  status: number | 'hang';
  headers?: Record<string, string>;
  body?: string;
}

export interface TestPushService {
  origin: string;
  requests: PushRequest[];
  /** Answers for the next requests to this path, in order; afterwards 201 Created. */
  script(path: string, ...answers: PushAnswer[]): void;
  /** An HTTPS agent that trusts the test certificate. */
  agent: https.Agent;
  close(): Promise<void>;
}

/** A loopback HTTPS server that stands in for a browser vendor's push service. */
export async function startPushService(): Promise<TestPushService> {
  const requests: PushRequest[] = [];
  const scripts = new Map<string, PushAnswer[]>();
  let counter = 0;
  const server = https.createServer({ key: LOOPBACK_TLS.key, cert: LOOPBACK_TLS.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const answer = scripts.get(path)?.shift() ?? { status: 201, headers: { Location: `https://127.0.0.1/m/${(counter += 1)}` } };
      const location = answer.status === 201 ? answer.headers?.Location : undefined;
      requests.push({ path, headers: req.headers, body: Buffer.concat(chunks), ...(location ? { location } : {}) });
      if (answer.status === 'hang') return;
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new https.Agent({ ca: LOOPBACK_TLS.cert, keepAlive: true });
  let closing: Promise<void> | undefined;
  return {
    origin: `https://127.0.0.1:${port}`,
    requests,
    script(path, ...answers) {
      scripts.set(path, [...(scripts.get(path) ?? []), ...answers]);
    },
    agent,
    close() {
      closing ??= new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}

/** A browser's push subscription with real keys, so the payload can be encrypted and read back. */
export interface TestBrowser {
  subscription: { endpoint: string; keys: { p256dh: string; auth: string } };
  path: string;
  decrypt(body: Buffer): Buffer;
}

function newBrowserKeys(): { ecdh: ECDH; publicKey: Buffer; auth: Buffer } {
  const ecdh = createECDH('prime256v1');
  return { ecdh, publicKey: ecdh.generateKeys(), auth: randomBytes(16) };
}

/** Keys as PushSubscription.toJSON() gives them: a real P-256 point and a 16-byte secret. */
export function browserKeys(): { p256dh: string; auth: string } {
  const { publicKey, auth } = newBrowserKeys();
  return { p256dh: publicKey.toString('base64url'), auth: auth.toString('base64url') };
}

export function browserFor(service: Pick<TestPushService, 'origin'>, name: string): TestBrowser {
  const { ecdh, publicKey, auth } = newBrowserKeys();
  const path = `/push/${name}-${randomBytes(6).toString('hex')}`;
  return {
    subscription: { endpoint: `${service.origin}${path}`, keys: { p256dh: publicKey.toString('base64url'), auth: auth.toString('base64url') } },
    path,
    decrypt: (body) => decryptAes128gcm(body, ecdh, publicKey, auth),
  };
}

const hmac = (key: Buffer, data: Buffer): Buffer => createHmac('sha256', key).update(data).digest();

/** RFC 8291 (web push message encryption) over RFC 8188 aes128gcm, one record, as the browser does it. */
export function decryptAes128gcm(body: Buffer, ecdh: ECDH, uaPublic: Buffer, authSecret: Buffer): Buffer {
  const salt = body.subarray(0, 16);
  const idlen = body[20] ?? 0;
  const asPublic = body.subarray(21, 21 + idlen);
  const record = body.subarray(21 + idlen);
  const shared = ecdh.computeSecret(asPublic);
  const prkKey = hmac(authSecret, shared);
  const ikm = hmac(prkKey, Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, asPublic, Buffer.from([1])]));
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01')).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01')).subarray(0, 12);
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end -= 1;
  if (padded[end] !== 2) throw new Error('not the last record of an aes128gcm message');
  return padded.subarray(0, end);
}

/** Checks a VAPID Authorization header (RFC 8292): ES256 JWT signed by the key it names. */
export function checkVapid(header: string | undefined, expected: { audience: string; subject: string; publicKey: string }): boolean {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header ?? '');
  if (!match?.[1] || match[2] !== expected.publicKey) return false;
  const [head, payload, signature] = match[1].split('.');
  if (!head || !payload || !signature) return false;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { aud?: string; sub?: string; exp?: number };
  const raw = Buffer.from(expected.publicKey, 'base64url');
  const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33, 65).toString('base64url') }, format: 'jwk' });
  const valid = verify('sha256', Buffer.from(`${head}.${payload}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  return valid && claims.aud === expected.audience && claims.sub === expected.subject && typeof claims.exp === 'number' && claims.exp * 1000 > Date.now();
}
