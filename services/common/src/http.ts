import { createServer, type RequestListener, type Server } from 'node:http';
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

export function sendProblem(res: Response, problem: Problem): void {
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}

export type AuthedRequest = Request & { principal?: Principal };

/**
 * Bearer-key authentication with a required scope (`admin` implies every scope). 401 for a
 * missing or unknown key, 403 for a key without the scope; `onDenied` lets a service audit it.
 */
export function requireScope(options: { keys: () => KeyRing; logger: Logger; onDenied?: (req: AuthedRequest, status: 401 | 403, principal?: Principal) => void }, scope: Scope) {
  return (req: AuthedRequest, res: Response, next: NextFunction) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) {
      options.onDenied?.(req, 401);
      res.set('WWW-Authenticate', 'Bearer realm="gateway"');
      sendProblem(res, { type: `${PROBLEM_BASE}unauthenticated`, title: 'Authentication required', status: 401, detail: 'Send an API key as "Authorization: Bearer <key>".' });
      return;
    }
    const principal = options.keys().authenticate(match[1]);
    if (!principal) {
      options.onDenied?.(req, 401);
      res.set('WWW-Authenticate', 'Bearer realm="gateway", error="invalid_token"');
      sendProblem(res, { type: `${PROBLEM_BASE}unauthenticated`, title: 'Unknown or revoked API key', status: 401 });
      return;
    }
    if (!principal.scopes.has(scope) && !principal.scopes.has('admin')) {
      options.onDenied?.(req, 403, principal);
      options.logger.warn({ key: principal.name, scope, path: req.path }, 'key lacks the required scope');
      sendProblem(res, { type: `${PROBLEM_BASE}forbidden`, title: 'Missing scope', status: 403, detail: `This key does not have the "${scope}" scope.` });
      return;
    }
    req.principal = principal;
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
