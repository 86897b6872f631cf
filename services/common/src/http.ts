import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import { withTimeout } from './lifecycle';
import type { Logger } from './log';
import type { KeyRing, Principal, Scope } from './keys';

/** RFC 9457 problem details. `errors` lists every invalid field with a plain reason. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: Array<{ path: string; message: string }>;
  [extra: string]: unknown;
}

export const PROBLEM_BASE = '/problems/';

export function sendProblem(res: ServerResponse, problem: Problem): void {
  // Plain node:http, so express routes and the intake's express-free fast path answer alike.
  const body = JSON.stringify(problem);
  res.statusCode = problem.status;
  res.setHeader('Content-Type', 'application/problem+json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

/** The media type of a Content-Type header, lower-cased, without its parameters ('' when absent). */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** application/json or any application/*+json. */
export function isJsonContentType(contentType: string | undefined): boolean {
  const mime = mediaType(contentType);
  return mime === 'application/json' || (mime.startsWith('application/') && mime.endsWith('+json'));
}

/** 400 naming every invalid field. */
export function sendInvalidFields(res: ServerResponse, title: string, errors: Array<{ path: string; message: string }>): void {
  sendProblem(res, { type: `${PROBLEM_BASE}invalid-fields`, title, status: 400, detail: `${errors.length} field(s) are invalid; see "errors".`, errors });
}

export type BodyErrorKind = 'too-large' | 'malformed-json' | 'unsupported-encoding' | 'bad-request';

/**
 * What a service says for each refusal of body-parser (express.json / express.raw). The services
 * word them differently (and their tests hold them to it), so the wording is theirs: a kind given
 * `false` is not singled out and gets the generic 4xx answer.
 */
export interface BodyErrorWording {
  tooLarge?: { title: string; detail?: string } | false;
  /** `detail` may quote body-parser's own message, e.g. the position of the syntax error. */
  malformed?: { detail?: (parserMessage: string | undefined) => string; fieldMessage: string };
  encoding?: { title: string; detail: string } | false;
  /** Put body-parser's message in the generic 4xx answer's detail. */
  badRequestDetail?: boolean;
}

/**
 * The problem for an error body-parser raised (it carries a `type` and a 4xx `status`);
 * undefined for any other error, which the caller answers itself (503 or 500).
 */
export function bodyErrorProblem(err: unknown, wording: BodyErrorWording = {}): { kind: BodyErrorKind; problem: Problem } | undefined {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { type?: unknown; status?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : undefined;
  const tooLarge = wording.tooLarge ?? { title: 'Body too large' };
  if (e.type === 'entity.too.large' && tooLarge) {
    return { kind: 'too-large', problem: { type: `${PROBLEM_BASE}too-large`, title: tooLarge.title, status: 413, ...(tooLarge.detail === undefined ? {} : { detail: tooLarge.detail }) } };
  }
  if (e.type === 'entity.parse.failed') {
    const malformed = wording.malformed ?? { fieldMessage: 'not valid JSON, or not a JSON object' };
    const detail = malformed.detail?.(message);
    return { kind: 'malformed-json', problem: { type: `${PROBLEM_BASE}malformed-json`, title: 'Malformed JSON', status: 400, ...(detail === undefined ? {} : { detail }), errors: [{ path: '(body)', message: malformed.fieldMessage }] } };
  }
  const encoding = wording.encoding ?? { title: 'Unsupported encoding', detail: 'Send UTF-8 JSON.' };
  if ((e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') && encoding) {
    return { kind: 'unsupported-encoding', problem: { type: `${PROBLEM_BASE}unsupported-media-type`, title: encoding.title, status: 415, detail: encoding.detail } };
  }
  const status = typeof e.status === 'number' && e.status >= 400 && e.status < 500 ? e.status : undefined;
  if (status !== undefined || e.type === 'request.aborted' || e.type === 'request.size.invalid') {
    return { kind: 'bad-request', problem: { type: `${PROBLEM_BASE}bad-request`, title: 'Bad request', status: status ?? 400, ...(wording.badRequestDetail && message !== undefined ? { detail: message } : {}) } };
  }
  return undefined;
}

export type AuthedRequest = Request & { principal?: Principal };

export type Authorization =
  | { ok: true; principal: Principal }
  | { ok: false; status: 401 | 403; problem: Problem; wwwAuthenticate?: string; principal?: Principal };

/** The key sent as `Authorization: Bearer <key>`; undefined when the header is missing or of another form. */
export function bearerKey(authorizationHeader: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(authorizationHeader ?? '')?.[1];
}

/** For `authorize` / `requireScope`: any valid key, whatever its scopes (e.g. "who am I"). */
export const ANY_KEY = 'any-key' as const;

/** Whether the principal holds the scope; `admin` implies every scope. */
export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.scopes.has(scope) || principal.scopes.has('admin');
}

/**
 * Bearer-key authentication with a required scope (`admin` implies every scope), without a web
 * framework: 401 for a missing or unknown key, 403 for a key without the scope. `ANY_KEY` (not a
 * scope, and spelled out so that a missing scope can never mean it) lets any valid key through.
 */
export function authorize(authorizationHeader: string | undefined, keys: KeyRing, scope: Scope | typeof ANY_KEY): Authorization {
  const key = bearerKey(authorizationHeader);
  if (!key) {
    return { ok: false, status: 401, wwwAuthenticate: 'Bearer realm="gateway"', problem: { type: `${PROBLEM_BASE}unauthenticated`, title: 'Authentication required', status: 401, detail: 'Send an API key as "Authorization: Bearer <key>".' } };
  }
  const principal = keys.authenticate(key);
  if (!principal) {
    return { ok: false, status: 401, wwwAuthenticate: 'Bearer realm="gateway", error="invalid_token"', problem: { type: `${PROBLEM_BASE}unauthenticated`, title: 'Unknown or revoked API key', status: 401 } };
  }
  if (scope !== ANY_KEY && !hasScope(principal, scope)) {
    return { ok: false, status: 403, principal, problem: { type: `${PROBLEM_BASE}forbidden`, title: 'Missing scope', status: 403, detail: `This key does not have the "${scope}" scope.` } };
  }
  return { ok: true, principal };
}

/** `authorize` as express middleware; `onDenied` lets a service audit a refusal. */
export function requireScope(options: { keys: () => KeyRing; logger: Logger; onDenied?: (req: AuthedRequest, status: 401 | 403, principal?: Principal) => void }, scope: Scope | typeof ANY_KEY) {
  return (req: AuthedRequest, res: Response, next: NextFunction) => {
    const auth = authorize(req.get('authorization'), options.keys(), scope);
    if (!auth.ok) {
      options.onDenied?.(req, auth.status, auth.principal);
      if (auth.principal) options.logger.warn({ key: auth.principal.name, scope, path: req.path }, 'key lacks the required scope');
      if (auth.wwwAuthenticate) res.set('WWW-Authenticate', auth.wwwAuthenticate);
      sendProblem(res, auth.problem);
      return;
    }
    req.principal = auth.principal;
    next();
  };
}

export interface ListeningHttp {
  server: Server;
  port: number;
  /** Where a client on this machine reaches it (0.0.0.0 is shown as 127.0.0.1). */
  url: string;
  /** Stops accepting, lets requests in progress finish, and drops idle keep-alive connections. */
  close: () => Promise<void>;
}

/** Every service's HTTP start: listen, resolve once bound (reject on e.g. EADDRINUSE), and a graceful close. */
export async function listenHttp(app: RequestListener, host: string, port: number): Promise<ListeningHttp> {
  const server: Server = await new Promise((resolve, reject) => {
    const s = createServer(app);
    s.once('error', reject);
    s.listen(port, host, () => {
      s.off('error', reject);
      resolve(s);
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    server,
    port: bound,
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/** A readiness probe: true when the check answers within `ms`, false otherwise; never throws. */
export function probe(check: () => Promise<unknown>, ms: number): Promise<boolean> {
  return withTimeout(Promise.resolve().then(check), ms, () => new Error('timeout')).then(
    () => true,
    () => false,
  );
}
