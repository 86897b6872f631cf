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
