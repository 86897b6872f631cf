import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How a loopback provider answers one request; `nth` counts this message id's requests from 1. */
export type Answer =
  | { kind: 'accept' }
  | { kind: 'error'; status: number; code?: string | number; message?: string; retryAfterSeconds?: number }
  /** Drops the connection without an answer. */
  | { kind: 'hang-up' }
  /** Reads the request and never answers. */
  | { kind: 'silence' };

export interface ReceivedSms {
  /** Our message id: from the StatusCallback query (Twilio) or the RequestId (eSMS). */
  messageId: string;
  account: string;
  to: string;
  from: string;
  body: string;
  statusCallback?: string;
  unicode?: boolean;
  at: number;
  /** The id the provider issued, on accepted requests (Twilio's SM sid, eSMS's SMSID). */
  providerMessageId?: string;
}

interface LoopbackBase {
  readonly url: string;
  /** Every request that reached the handler, accepted or not. */
  readonly requests: ReceivedSms[];
  /** What the provider accepted as a new message (what a phone would get), in order. */
  readonly accepted: ReceivedSms[];
  /** Accepted (new) messages per message id. */
  acceptedCount(messageId: string): number;
  /** Requests per message id. */
  requestCount(messageId: string): number;
  /** Message ids accepted more than once: what "sent twice" means at the phone. */
  duplicates(): string[];
  answer: (request: ReceivedSms, nth: number) => Answer;
  /** TCP connections accepted so far (keep-alive reuse shows as fewer connections than requests). */
  connections(): number;
  close(): Promise<void>;
}

function counting(): Pick<LoopbackBase, 'requests' | 'accepted' | 'acceptedCount' | 'requestCount' | 'duplicates'> & { seen: Map<string, number>; acc: Map<string, number> } {
  const requests: ReceivedSms[] = [];
  const accepted: ReceivedSms[] = [];
  const seen = new Map<string, number>();
  const acc = new Map<string, number>();
  return {
    requests,
    accepted,
    seen,
    acc,
    acceptedCount: (id) => acc.get(id) ?? 0,
    requestCount: (id) => seen.get(id) ?? 0,
    duplicates: () => [...acc].filter(([, n]) => n > 1).map(([id]) => id),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  let connections = 0;
  server.on('connection', () => (connections += 1));
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export interface LoopbackTwilio extends LoopbackBase {
  /** Accounts it knows: sid → auth token (Basic auth is checked). */
  readonly accounts: Map<string, string>;
  acceptedBy(accountSid: string): number;
}

export function twilioAccount(): { sid: string; token: string } {
  return { sid: `AC${randomBytes(16).toString('hex')}`, token: randomBytes(16).toString('hex') };
}

/**
 * Speaks Twilio's Messages API on loopback: POST /2010-04-01/Accounts/:sid/Messages.json with
 * Basic auth and a form body (To, From, Body, StatusCallback); 201 with an SM… sid, or Twilio's
 * error JSON { code, message, more_info, status }.
 */
export async function startLoopbackTwilio(accounts: Array<{ sid: string; token: string }>): Promise<LoopbackTwilio> {
  const counts = counting();
  const byAccount = new Map<string, number>();
  const known = new Map(accounts.map((a) => [a.sid, a.token]));
  const state: { answer: LoopbackBase['answer'] } = { answer: () => ({ kind: 'accept' }) };
  const server = await listen((req, res) => {
    void (async () => {
      const match = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Messages\.json$/.exec(req.url ?? '');
      const body = await readBody(req);
      if (req.method !== 'POST' || !match?.[1]) return json(res, 404, { code: 20404, message: 'The requested resource was not found', more_info: 'https://www.twilio.com/docs/errors/20404', status: 404 });
      const sid = match[1];
      const auth = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
      const [user, pass] = auth?.[1] ? Buffer.from(auth[1], 'base64').toString('utf8').split(':') : [];
      if (user !== sid || known.get(sid) === undefined || known.get(sid) !== pass) return json(res, 401, { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
      const form = new URLSearchParams(body);
      const callback = form.get('StatusCallback') ?? undefined;
      const messageId = callback ? (new URL(callback).searchParams.get('messageId') ?? '') : '';
      const received: ReceivedSms = { messageId, account: sid, to: form.get('To') ?? '', from: form.get('From') ?? form.get('MessagingServiceSid') ?? '', body: form.get('Body') ?? '', statusCallback: callback, at: Date.now() };
      counts.requests.push(received);
      const nth = (counts.seen.get(messageId) ?? 0) + 1;
      counts.seen.set(messageId, nth);
      const answer = state.answer(received, nth);
      if (answer.kind === 'hang-up') {
        req.socket.destroy();
        return;
      }
      if (answer.kind === 'silence') return;
      if (answer.kind === 'error') {
        const headers: Record<string, string> = answer.retryAfterSeconds !== undefined ? { 'retry-after': String(answer.retryAfterSeconds) } : {};
        return json(res, answer.status, { code: answer.code ?? answer.status, message: answer.message ?? 'error', more_info: `https://www.twilio.com/docs/errors/${answer.code ?? answer.status}`, status: answer.status }, headers);
      }
      received.providerMessageId = `SM${randomBytes(16).toString('hex')}`;
      counts.accepted.push(received);
      counts.acc.set(messageId, (counts.acc.get(messageId) ?? 0) + 1);
      byAccount.set(sid, (byAccount.get(sid) ?? 0) + 1);
      json(res, 201, { sid: received.providerMessageId, account_sid: sid, to: received.to, from: received.from, body: received.body, status: 'queued', num_segments: '1', api_version: '2010-04-01' });
    })().catch(() => res.destroy());
  });
  return {
    url: server.url,
    accounts: known,
    requests: counts.requests,
    accepted: counts.accepted,
    acceptedCount: counts.acceptedCount,
    requestCount: counts.requestCount,
    duplicates: counts.duplicates,
    acceptedBy: (sid) => byAccount.get(sid) ?? 0,
    get answer() {
      return state.answer;
    },
    set answer(fn) {
      state.answer = fn;
    },
    connections: server.connections,
    close: server.close,
  };
}

export interface LoopbackEsms extends LoopbackBase {
  /** Requests whose RequestId it had already accepted (answered 100 again, not sent again). */
  readonly deduplicated: number;
}

/**
 * Speaks eSMS's SendMultipleMessage_V4_post_json on loopback. Like eSMS it deduplicates by
 * RequestId: a request with a RequestId it already accepted gets the same answer and SMSID, and
 * nothing is sent again.
 */
export async function startLoopbackEsms(credentials: { apiKey: string; secretKey: string }): Promise<LoopbackEsms> {
  const counts = counting();
  const smsIds = new Map<string, string>();
  let deduplicated = 0;
  const state: { answer: LoopbackBase['answer'] } = { answer: () => ({ kind: 'accept' }) };
  const server = await listen((req, res) => {
    void (async () => {
      const body = await readBody(req);
      if (req.method !== 'POST' || req.url !== '/MainService.svc/json/SendMultipleMessage_V4_post_json/') return json(res, 404, { message: 'not found' });
      let payload: Record<string, string>;
      try {
        payload = JSON.parse(body) as Record<string, string>;
      } catch {
        return json(res, 200, { CodeResult: '99', ErrorMessage: 'bad JSON' });
      }
      if (payload.ApiKey !== credentials.apiKey || payload.SecretKey !== credentials.secretKey) return json(res, 200, { CodeResult: '101', ErrorMessage: 'Sai ApiKey hoặc SecretKey' });
      const messageId = payload.RequestId ?? '';
      const received: ReceivedSms = { messageId, account: payload.Brandname ?? '', to: payload.Phone ?? '', from: payload.Brandname ?? '', body: payload.Content ?? '', unicode: payload.IsUnicode === '1', at: Date.now() };
      counts.requests.push(received);
      const nth = (counts.seen.get(messageId) ?? 0) + 1;
      counts.seen.set(messageId, nth);
      const known = smsIds.get(messageId);
      if (known) {
        deduplicated += 1;
        return json(res, 200, { CodeResult: '100', CountRegenerate: 0, SMSID: known });
      }
      const answer = state.answer(received, nth);
      if (answer.kind === 'hang-up') {
        req.socket.destroy();
        return;
      }
      if (answer.kind === 'silence') return;
      if (answer.kind === 'error') {
        if (answer.status === 200) return json(res, 200, { CodeResult: String(answer.code ?? '99'), ErrorMessage: answer.message ?? 'error' });
        return json(res, answer.status, { message: answer.message ?? 'error' }, answer.retryAfterSeconds !== undefined ? { 'retry-after': String(answer.retryAfterSeconds) } : {});
      }
      const smsId = randomBytes(16).toString('hex');
      smsIds.set(messageId, smsId);
      received.providerMessageId = smsId;
      counts.accepted.push(received);
      counts.acc.set(messageId, (counts.acc.get(messageId) ?? 0) + 1);
      json(res, 200, { CodeResult: '100', CountRegenerate: 0, SMSID: smsId });
    })().catch(() => res.destroy());
  });
  return {
    url: server.url,
    requests: counts.requests,
    accepted: counts.accepted,
    acceptedCount: counts.acceptedCount,
    requestCount: counts.requestCount,
    duplicates: counts.duplicates,
    get deduplicated() {
      return deduplicated;
    },
    get answer() {
      return state.answer;
    },
    set answer(fn) {
      state.answer = fn;
    },
    connections: server.connections,
    close: server.close,
  };
}
