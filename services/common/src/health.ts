import type { IRouter, Request, Response } from 'express';
import { PROBLEM_BASE, sendProblem } from './http';

/** A service's readiness: whether it takes work now, and the fields /readyz shows beside `ready`. */
export interface Readiness {
  ready: boolean;
  /** Its fields are spread into the /readyz body after `ready`. */
  report: object;
}

/**
 * What a service's bus or store really is, and whether it answers: `{ kind: 'kafka', ok: true }`,
 * or in the embedded mode `{ kind: 'memory', ok: true }` (the in-process bus or store), never a
 * claim that Kafka or Redis answer where there is neither.
 */
export interface InfraCheck {
  kind: 'kafka' | 'redis' | 'memory';
  ok: boolean;
}

/** The bus's check: Kafka, or the embedded mode's in-process bus. */
export function busCheck(embedded: boolean, ok: boolean): InfraCheck {
  return { kind: embedded ? 'memory' : 'kafka', ok };
}

/** The store's check: Redis, or the embedded mode's in-memory store. */
export function storeCheck(embedded: boolean, ok: boolean): InfraCheck {
  return { kind: embedded ? 'memory' : 'redis', ok };
}

/** Ready when every check in the report is (true, or `ok`). */
export function allReady(report: Record<string, boolean | InfraCheck>): Readiness {
  return { ready: Object.values(report).every((v) => (typeof v === 'boolean' ? v : v.ok)), report };
}

/**
 * Every service's probes: `/healthz` (the process answers) and `/readyz`, 200 when ready and 503
 * otherwise, with `{ ready, ...report }`. What ready means is each service's own `readiness`.
 */
export function healthRoutes(app: IRouter, readiness: () => Readiness | Promise<Readiness>): void {
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const { ready, report } = await readiness();
    res.status(ready ? 200 : 503).json({ ready, ...report });
  });
}

/** The last middleware of every service: a 404 problem naming the method and path that has no route. */
export function noRoute() {
  return (req: Request, res: Response) => {
    sendProblem(res, { type: `${PROBLEM_BASE}not-found`, title: 'Not found', status: 404, detail: `No route for ${req.method} ${req.path}.` });
  };
}
