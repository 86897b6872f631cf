import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { authorize, bodyErrorProblem, healthRoutes, type InfraCheck, isJsonContentType, noRoute, PROBLEM_BASE, requireScope as requireScopeWith, sendInvalidFields, sendProblem, type AuthedRequest, type KeyRing, type Logger, type Principal, type Scope } from '@gateway/common';
import type { EventAcceptor, AcceptOutcome } from '../app/accept-event';
import type { IntakeMetrics } from '../adapters/metrics';

/** The bus (Kafka, or the embedded mode's in-process bus) and the idempotency store (Redis, or in memory). */
export interface ReadinessReport {
  bus: InfraCheck;
  store: InfraCheck;
}

export interface HttpDeps {
  accept: EventAcceptor;
  keys: () => KeyRing;
  metrics: IntakeMetrics;
  readiness: () => Promise<ReadinessReport>;
  logger: Logger;
  bodyLimitBytes: number;
}


/** Writes with the plain node:http API, so the express routes and the fast path below share it. */
function reply(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', `${contentType}; charset=utf-8`);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}


function respond(deps: HttpDeps, res: ServerResponse, outcome: AcceptOutcome): void {
  switch (outcome.kind) {
    case 'accepted':
      res.setHeader('x-event-id', outcome.eventId);
      if (outcome.replayed) {
        res.setHeader('Idempotent-Replayed', 'true');
        deps.metrics.replays.inc();
      } else {
        deps.metrics.accepted.inc({ type: String(outcome.body.type) });
      }
      reply(res, 202, 'application/json', JSON.stringify(outcome.body));
      return;
    case 'invalid':
      deps.metrics.rejected.inc({ reason: 'invalid' });
      sendInvalidFields(res, 'The event has invalid fields', outcome.issues);
      return;
    case 'unknown-type':
      deps.metrics.rejected.inc({ reason: 'unknown-type' });
      sendProblem(res, { type: `${PROBLEM_BASE}unknown-event-type`, title: 'Unknown event type', status: 422, detail: outcome.issues[0]?.message, errors: outcome.issues });
      return;
    case 'foreign-source':
      deps.metrics.rejected.inc({ reason: 'foreign-source' });
      deps.logger.warn({ key: outcome.keyName, source: outcome.source }, 'key sent an event of a source it does not own');
      sendProblem(res, {
        type: `${PROBLEM_BASE}source-not-allowed`,
        title: 'Khóa API không được gửi sự kiện của hệ thống này / This key may not send events of this source',
        status: 403,
        detail: `Khóa "${outcome.keyName}" chỉ được gửi sự kiện có source là ${outcome.owned.join(', ')}; sự kiện này có source "${outcome.source}". / The key "${outcome.keyName}" may only send events whose source is ${outcome.owned.join(', ')}; this event's source is "${outcome.source}".`,
        errors: [{ path: 'source', message: `"${outcome.source}" không thuộc khóa này / is not a source of this key` }],
      });
      return;
    case 'conflict':
      deps.metrics.rejected.inc({ reason: 'conflict' });
      sendProblem(res, { type: `${PROBLEM_BASE}idempotency-conflict`, title: 'The same id was used with a different body', status: 409, detail: `An event with id/Idempotency-Key "${outcome.eventId}" was already accepted with different content in the last 24 hours. Use a new id for a new event.` });
      return;
    case 'unavailable':
      deps.metrics.publishFailures.inc();
      deps.logger.warn({ eventId: outcome.eventId, reason: outcome.reason }, 'event not accepted: store unavailable');
      res.setHeader('Retry-After', String(outcome.retryAfterSeconds));
      sendProblem(res, { type: `${PROBLEM_BASE}unavailable`, title: 'Temporarily unable to store events', status: 503, detail: `${outcome.reason}. Nothing was accepted; retry with the same id.` });
      return;
  }
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,128}$/;
const CORRELATION_ID = /^[\w.:-]{1,128}$/;

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The request's headers checked, the parsed body accepted and answered: the same for both paths. */
async function acceptParsed(deps: HttpDeps, req: IncomingMessage, res: ServerResponse, body: unknown, principal: Principal): Promise<void> {
  const idempotencyKey = header(req, 'idempotency-key');
  if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
    sendProblem(res, { type: `${PROBLEM_BASE}invalid-fields`, title: 'Invalid request', status: 400, errors: [{ path: 'header:Idempotency-Key', message: 'must be 1 to 128 characters of letters, digits, ".", "_", ":" or "-"' }] });
    return;
  }
  const correlationId = header(req, 'x-correlation-id');
  respond(deps, res, await deps.accept(body, { principal, idempotencyKey, correlationId: correlationId && CORRELATION_ID.test(correlationId) ? correlationId : undefined }));
}


/**
 * The HTTP entry point: `POST /v1/events`, the hot path, is handled with node:http directly (no
 * router, no body-parser: docs/adr/0007-intake-fast-path.md); everything else, and the rare
 * request the fast path does not take (a compressed or non-UTF-8 body), goes to the express app
 * below with the same answers.
 */
export function createIntakeHandler(deps: HttpDeps): RequestListener {
  const app = createHttpApp(deps);
  return (req, res) => {
    const url = req.url ?? '';
    const encoding = header(req, 'content-encoding');
    const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(header(req, 'content-type') ?? '')?.[1]?.toLowerCase();
    const plain = (encoding === undefined || encoding.toLowerCase() === 'identity') && (charset === undefined || charset === 'utf-8' || charset === 'utf8');
    if (req.method === 'POST' && (url === '/v1/events' || url.startsWith('/v1/events?')) && plain) void postEvent(deps, req, res);
    else app(req, res);
  };
}

async function postEvent(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = process.hrtime.bigint();
  let principalName: string | undefined;
  res.on('finish', () => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    deps.metrics.requests.inc({ method: 'POST', route: '/v1/events', status: String(res.statusCode) });
    deps.metrics.latency.observe({ method: 'POST', route: '/v1/events' }, seconds);
    if (res.statusCode >= 500 || deps.logger.isLevelEnabled('debug')) {
      deps.logger[res.statusCode >= 500 ? 'warn' : 'debug']({ method: 'POST', path: '/v1/events', status: res.statusCode, ms: Math.round(seconds * 1e4) / 10, eventId: res.getHeader('x-event-id'), key: principalName }, 'request');
    }
  });
  try {
    const auth = authorize(header(req, 'authorization'), deps.keys(), 'events:write');
    if (!auth.ok) {
      if (auth.principal) deps.logger.warn({ key: auth.principal.name, scope: 'events:write', path: '/v1/events' }, 'key lacks the required scope');
      if (auth.wwwAuthenticate) res.setHeader('WWW-Authenticate', auth.wwwAuthenticate);
      sendProblem(res, auth.problem);
      req.resume();
      return;
    }
    const { principal } = auth;
    principalName = principal.name;
    const contentType = header(req, 'content-type');
    if (!isJsonContentType(contentType)) {
      deps.metrics.rejected.inc({ reason: 'content-type' });
      sendProblem(res, { type: `${PROBLEM_BASE}unsupported-media-type`, title: 'Unsupported content type', status: 415, detail: `Send the event as JSON with "Content-Type: application/json" (got ${JSON.stringify(contentType ?? 'none')}).` });
      req.resume();
      return;
    }
    const body = await readBody(req, deps.bodyLimitBytes);
    if (body === 'too-large') {
      deps.metrics.rejected.inc({ reason: 'too-large' });
      res.setHeader('Connection', 'close');
      sendProblem(res, { type: `${PROBLEM_BASE}too-large`, title: 'Event too large', status: 413, detail: `The body exceeds the limit of ${deps.bodyLimitBytes} bytes.` });
      return;
    }
    let parsed: unknown;
    try {
      // As body-parser does: a UTF-8 byte order mark (Windows tools write one) is not content,
      // and an empty body is an empty object (whose fields are then reported missing).
      const text = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
      parsed = text.trim() === '' ? {} : JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null) throw new SyntaxError('the body must be a JSON object');
    } catch (err) {
      deps.metrics.rejected.inc({ reason: 'malformed-json' });
      sendProblem(res, { type: `${PROBLEM_BASE}malformed-json`, title: 'Malformed JSON', status: 400, detail: `The body is not valid JSON: ${(err as Error).message}.`, errors: [{ path: '(body)', message: 'not valid JSON, or not a JSON object' }] });
      return;
    }
    await acceptParsed(deps, req, res, parsed, principal);
  } catch (err) {
    if (req.destroyed || (err as NodeJS.ErrnoException).code === 'ECONNRESET' || (err as Error).message === 'aborted') {
      // The client went away in the middle of its body: nothing to answer, nothing of ours broke.
      deps.metrics.rejected.inc({ reason: 'aborted' });
      deps.logger.debug({ path: '/v1/events' }, 'request aborted by the client');
      return;
    }
    deps.logger.error({ err, path: '/v1/events' }, 'unhandled error');
    if (!res.headersSent) sendProblem(res, { type: `${PROBLEM_BASE}internal`, title: 'Internal error', status: 500 });
    else res.destroy();
  }
}

/** The body as UTF-8 text, or 'too-large' past the limit (the rest is not read). */
function readBody(req: IncomingMessage, limit: number): Promise<string | 'too-large'> {
  const declared = Number(header(req, 'content-length'));
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve('too-large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.pause();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks, size).toString('utf8')));
    req.on('error', reject);
  });
}

function createHttpApp(deps: HttpDeps): express.Express {
  const requireScope = (d: HttpDeps, scope: Scope) => requireScopeWith({ keys: d.keys, logger: d.logger }, scope);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      deps.metrics.requests.inc({ method: req.method, route, status: String(res.statusCode) });
      deps.metrics.latency.observe({ method: req.method, route }, seconds);
      const level = res.statusCode >= 500 && route !== '/readyz' ? 'warn' : 'debug';
      deps.logger[level]({ method: req.method, path: req.path, status: res.statusCode, ms: Math.round(seconds * 1e4) / 10, eventId: res.get('x-event-id'), key: (req as AuthedRequest).principal?.name }, 'request');
    });
    next();
  });

  healthRoutes(app, async () => {
    const report = await deps.readiness();
    return { ready: report.bus.ok && report.store.ok, report };
  });

  app.get('/metrics', requireScope(deps, 'admin'), async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  const jsonBody = express.json({ limit: deps.bodyLimitBytes, type: (req) => isJsonContentType(req.headers['content-type']), strict: true });

  app.post(
    '/v1/events',
    requireScope(deps, 'events:write'),
    (req, res, next) => {
      if (!isJsonContentType(req.get('content-type'))) {
        deps.metrics.rejected.inc({ reason: 'content-type' });
        sendProblem(res, {
          type: `${PROBLEM_BASE}unsupported-media-type`,
          title: 'Unsupported content type',
          status: 415,
          detail: `Send the event as JSON with "Content-Type: application/json" (got ${JSON.stringify(req.get('content-type') ?? 'none')}).`,
        });
        return;
      }
      next();
    },
    jsonBody,
    (req: AuthedRequest, res) => acceptParsed(deps, req, res, req.body as unknown, req.principal as Principal),
  );

  app.use(noRoute());

  // Body-parser errors carry a `type`; anything else is our bug and must not leak details.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const bodyError = bodyErrorProblem(err, {
      tooLarge: { title: 'Event too large', detail: `The body exceeds the limit of ${deps.bodyLimitBytes} bytes.` },
      malformed: { detail: (message) => `The body is not valid JSON: ${message ?? 'parse error'}.`, fieldMessage: 'not valid JSON, or not a JSON object' },
      badRequestDetail: true,
    });
    if (bodyError) {
      if (bodyError.kind === 'too-large' || bodyError.kind === 'malformed-json') deps.metrics.rejected.inc({ reason: bodyError.kind });
      sendProblem(res, bodyError.problem);
      return;
    }
    deps.logger.error({ err, path: req.path }, 'unhandled error');
    sendProblem(res, { type: `${PROBLEM_BASE}internal`, title: 'Internal error', status: 500 });
  });

  return app;
}
