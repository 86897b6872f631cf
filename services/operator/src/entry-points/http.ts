import express, { type NextFunction, type Request, type Response } from 'express';
import type { z } from 'zod';
import { allReady, ANY_KEY, bodyErrorProblem, hasScope, healthRoutes, noRoute, PROBLEM_BASE, requireScope, sendInvalidFields, sendProblem, type AuthedRequest, type DevOutbox, type KeyRing, type Logger, type Principal, type Scope, type InfraCheck } from '@gateway/common';
import { callbackBatchSize, sourceSchema, type DeliveryStatus } from '@gateway/contracts';
import type { OperatorStores } from '../data-access/stores';
import type { ResendJob } from '../data-access/resend-job-store';
import type { NewAuditEntry } from '../data-access/audit-store';
import type { CallbackDispatcher } from '../app/callback-dispatcher';
import { toEpochRange, type NotificationRecord, type NotificationView } from '../domain/notification';
import { plainReason } from '../domain/reasons';
import { buildEventReport, chooseSender, sendersOf } from '../domain/report';
import { chainOf, resendState, type ResendState } from '../domain/resend-chain';
import { loadResendStates } from '../app/resend-states';
import type { ResendService } from '../app/resend-service';
import type { ResendJobRunner } from '../app/job-runner';
import { auditQuerySchema, callbackDeadQuerySchema, callbackReplayBodySchema, jobBodySchema, messageIdParam, resendBodySchema, searchQuerySchema } from './api-schemas';
import { mountConsole } from './console';
import { createAttendancePageRouter, type AttendancePageDeps } from './attendance-page';
import { attendanceReport } from '../domain/attendance';

export interface OperatorAppDeps {
  stores: OperatorStores;
  resends: ResendService;
  jobs: ResendJobRunner;
  keys: () => KeyRing;
  /** Replays dead-lettered status callbacks. */
  callbacks: Pick<CallbackDispatcher, 'replay'>;
  logger: Logger;
  readiness: () => Promise<Record<string, boolean | InfraCheck>>;
  devOutbox?: DevOutbox;
  /** The recipients' attendance page (`/x/<code>`); absent: not served (no link secret). */
  attendancePage?: Omit<AttendancePageDeps, 'stores' | 'logger'>;
}

/** One message as a list shows it: its state, who it is for, the reason in plain words, and what its chain's resends mean for it. */
function notificationSummary(r: NotificationRecord, resends: ResendState | undefined) {
  const state = resends ?? resendState(r, undefined);
  const s = r.summary;
  const reasonText = plainReason(r);
  return {
    messageId: r.messageId,
    eventId: r.eventId,
    channel: r.channel,
    status: r.status,
    attempts: r.attempts,
    ...(r.provider ? { provider: r.provider } : {}),
    ...(r.reason ? { reason: r.reason } : {}),
    ...(reasonText ? { reasonText } : {}),
    ...(r.lastError ? { lastError: r.lastError } : {}),
    ...(r.nextAttemptAt ? { nextAttemptAt: r.nextAttemptAt } : {}),
    firstSeenAt: r.firstSeenAt,
    updatedAt: r.updatedAt,
    ...(s ? { recipient: s.recipient, eventType: s.eventType, ...(s.source ? { source: s.source } : {}), ...(s.urgency ? { urgency: s.urgency } : {}), ...(s.secrecy ? { secrecy: s.secrecy } : {}) } : {}),
    ...(r.resendOf ? { resendOf: r.resendOf } : {}),
    resendable: state.resendable,
    ...(state.resentAs ? { resentAs: state.resentAs } : {}),
  };
}

export interface AttemptEntry {
  attempt: number;
  startedAt?: string;
  at: string;
  outcome: DeliveryStatus['status'];
  provider?: string;
  providerMessageId?: string;
  answer?: string;
  errorClass?: string;
  code?: string;
  nextAttemptAt?: string;
}

/** Each send attempt with what came of it, from the status history (and the provider's full answer from the failed record). */
export function attemptHistory(history: readonly DeliveryStatus[], providerAnswer?: string): AttemptEntry[] {
  const out: AttemptEntry[] = [];
  const started = new Map<number, string>();
  for (const s of history) {
    const attempt = s.attempt ?? 1;
    if (s.status === 'sending') {
      started.set(attempt, s.at);
      continue;
    }
    if (!['sent', 'retrying', 'failed', 'dead', 'delivered', 'undelivered', 'read'].includes(s.status)) continue;
    const entry: AttemptEntry = { attempt, at: s.at, outcome: s.status };
    const start = started.get(attempt);
    if (start) entry.startedAt = start;
    if (s.provider) entry.provider = s.provider;
    if (s.providerMessageId) entry.providerMessageId = s.providerMessageId;
    if (s.error) {
      entry.answer = s.error.message;
      entry.errorClass = s.error.class;
      if (s.error.code) entry.code = s.error.code;
    }
    if (s.nextAttemptAt) entry.nextAttemptAt = s.nextAttemptAt;
    out.push(entry);
  }
  const last = [...out].reverse().find((e) => e.outcome === 'failed' || e.outcome === 'dead');
  if (last && providerAnswer) last.answer = providerAnswer;
  return out;
}

function invalid(res: Response, issues: z.core.$ZodIssue[], where: 'query' | 'body' | 'params'): void {
  sendInvalidFields(res, 'Invalid request', issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message })));
}

function notFound(res: Response, title: string, detail: string): void {
  sendProblem(res, { type: `${PROBLEM_BASE}not-found`, title, status: 404, detail });
}

function publicJob(job: ResendJob) {
  const { cursor: _cursor, ...rest } = job;
  return rest;
}

function rangeOf(q: { from?: string; to?: string }): { fromMs?: number; toMs?: number } {
  return { ...(q.from ? { fromMs: Date.parse(q.from) } : {}), ...(q.to ? { toMs: Date.parse(q.to) } : {}) };
}

const asyncRoute = (fn: (req: AuthedRequest, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => {
  fn(req as AuthedRequest, res).catch(next);
};

export function createOperatorApp(deps: OperatorAppDeps): express.Express {
  const { stores, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  const audit = (entry: NewAuditEntry) => {
    stores.audit.append(entry).catch((err: unknown) => logger.error({ err: (err as Error).message, action: entry.action }, 'could not write an audit entry'));
  };
  /** Every refused attempt is audited, with who tried when a key was recognised. */
  const guard = (scope: Scope | typeof ANY_KEY, action: string) =>
    requireScope(
      {
        keys: deps.keys,
        logger,
        onDenied: (req: AuthedRequest, status: 401 | 403, principal?: Principal) =>
          audit({ actor: principal?.name ?? (req.get('authorization') ? '(unknown key)' : '(no key)'), action, outcome: 'denied', status, details: { method: req.method, path: req.originalUrl.split('?')[0], scope } }),
      },
      scope,
    );
  const actor = (req: AuthedRequest) => req.principal?.name ?? '(unknown)';

  healthRoutes(app, async () => allReady(await deps.readiness()));

  // Any valid key may ask who it is (the console's sign-in): no scope, but a wrong key is refused
  // and audited like on every other route, so guessing keys at the sign-in page shows in the audit.
  app.get('/v1/me', guard(ANY_KEY, 'me.read'), (req: AuthedRequest, res) => {
    const principal = req.principal as Principal;
    res.json({ name: principal.name, scopes: [...principal.scopes], canRead: hasScope(principal, 'notifications:read'), canResend: hasScope(principal, 'notifications:resend'), isAdmin: principal.scopes.has('admin'), devOutbox: !!deps.devOutbox });
  });

  app.get(
    '/v1/notifications',
    guard('notifications:read', 'notification.search'),
    asyncRoute(async (req, res) => {
      const parsed = searchQuerySchema.safeParse(req.query);
      if (!parsed.success) return invalid(res, parsed.error.issues, 'query');
      const { attempts, ...q } = parsed.data;
      const result = await stores.notifications.search({ ...toEpochRange(q), latestOnly: attempts === 'latest' });
      const resends = await loadResendStates(stores, result.items);
      res.json({ items: result.items.map((r) => notificationSummary(r, resends.get(r.messageId))), total: result.total, page: q.page, pageSize: q.pageSize, totals: result.totals });
    }),
  );

  app.get(
    '/v1/notifications/:id',
    guard('notifications:read', 'notification.read'),
    asyncRoute(async (req, res) => {
      const id = messageIdParam.safeParse(req.params.id);
      if (!id.success) return invalid(res, id.error.issues.map((i) => ({ ...i, path: ['id'] })), 'params');
      const view: NotificationView | undefined = await stores.notifications.get(id.data);
      if (!view) return notFound(res, 'Unknown notification', `No notification with id ${id.data} (statuses are kept 90 days).`);
      const chainId = chainOf(view);
      const [failed, original, chain, madeBy, states] = await Promise.all([stores.failed.getFailed(id.data), chainId === id.data ? undefined : stores.failed.getFailed(chainId), stores.resends.resendsOf(chainId), stores.resends.byMessage(id.data), loadResendStates(stores, [view])]);
      // The resends that came after this one: for the original, all of them.
      const resends = madeBy ? chain.slice(chain.findIndex((r) => r.resendId === madeBy.resendId) + 1) : chain;
      const resendStates = await stores.notifications.getMany(resends.map((r) => r.messageId));
      res.json({
        ...view,
        ...notificationSummary(view, states.get(view.messageId)),
        history: view.history,
        attemptHistory: attemptHistory(view.history, failed?.providerAnswer),
        ...(failed ? { failure: { reason: failed.reason, errorClass: failed.errorClass, code: failed.code, provider: failed.provider, providerAnswer: failed.providerAnswer, at: failed.at } } : {}),
        resendOf: view.resendOf ?? madeBy?.originalId,
        ...(madeBy ? { resend: { resendId: madeBy.resendId, by: madeBy.by, at: madeBy.at, ...(madeBy.jobId ? { jobId: madeBy.jobId } : {}), ...(madeBy.corrections ? { corrections: madeBy.corrections } : {}) } } : {}),
        resends: resends.map((r) => ({ resendId: r.resendId, messageId: r.messageId, by: r.by, at: r.at, status: resendStates.get(r.messageId)?.status ?? 'rendered', ...(r.jobId ? { jobId: r.jobId } : {}) })),
        // A resend goes out from the chain's original's copy.
        canResendFromCopy: !!(chainId === id.data ? failed : original),
      });
    }),
  );

  app.get(
    '/v1/events/:eventId/report',
    guard('notifications:read', 'event.report'),
    asyncRoute(async (req, res) => {
      const eventId = String(req.params.eventId);
      if (!/^[A-Za-z0-9._:-]{1,128}$/.test(eventId)) return invalid(res, [{ code: 'custom', path: ['eventId'], message: 'must be an event id', input: eventId }], 'params');
      const asked = typeof req.query.source === 'string' ? req.query.source : undefined;
      if (asked !== undefined && !sourceSchema.safeParse(asked).success) return invalid(res, [{ code: 'custom', path: ['source'], message: 'must be a source (hệ thống gửi)', input: asked }], 'query');
      const ids = await stores.notifications.matchIds({ eventId }, 200_000);
      if (ids.length === 0) return notFound(res, 'Unknown event', `No notification of event ${eventId} is known (statuses are kept 90 days).`);
      const records = [...(await stores.notifications.getMany(ids)).values()];
      const senders = sendersOf(records);
      const choice = chooseSender(senders, asked, (req as AuthedRequest).principal?.sources);
      if (choice.kind === 'ambiguous') {
        return sendProblem(res, {
          type: `${PROBLEM_BASE}ambiguous-event`,
          title: 'Mã sự kiện này thuộc nhiều hệ thống gửi / Several sources sent an event with this id',
          status: 409,
          detail: `Các hệ thống ${choice.senders.join(', ')} đều gửi sự kiện ${eventId}; chọn một bằng ?source=. / The sources ${choice.senders.join(', ')} each sent an event ${eventId}; choose one with ?source=.`,
          sources: choice.senders,
        });
      }
      const { source } = choice;
      const chosen = source === undefined ? records : records.filter((r) => r.summary?.source === source);
      if (chosen.length === 0) return notFound(res, 'Unknown event', `No notification of event ${eventId} from ${source ?? '?'} is known (statuses are kept 90 days).`);
      res.json({ ...buildEventReport(eventId, chosen, await loadResendStates(stores, chosen)), ...(source !== undefined ? { source } : {}) });
    }),
  );

  app.post(
    '/v1/notifications/:id/resend',
    guard('notifications:resend', 'notification.resend'),
    express.json({ limit: '16kb' }),
    asyncRoute(async (req, res) => {
      const id = messageIdParam.safeParse(req.params.id);
      if (!id.success) return invalid(res, id.error.issues.map((i) => ({ ...i, path: ['id'] })), 'params');
      const body = resendBodySchema.safeParse(req.body ?? {});
      if (!body.success) return invalid(res, body.error.issues, 'body');
      const result = await deps.resends.resend({ originalId: id.data, ...body.data, actor: actor(req) });
      const base = { actor: actor(req), action: 'notification.resend', messageIds: [id.data] };
      switch (result.kind) {
        case 'accepted': {
          const r = result.record;
          audit({ ...base, outcome: 'ok', status: 202, messageIds: [id.data, result.messageId], details: { resendId: result.resendId, replayed: result.replayed, ...(body.data.requestId ? { requestId: body.data.requestId } : {}), ...(r.corrections ? { corrections: r.corrections } : {}), ...(result.directory ? { directory: result.directory } : {}) } });
          if (result.replayed) res.set('Idempotent-Replayed', 'true');
          res.status(202).json({ resendId: result.resendId, messageId: result.messageId });
          return;
        }
        case 'invalid':
          audit({ ...base, outcome: 'refused', status: 400, details: { errors: result.errors } });
          sendInvalidFields(res, 'Invalid request', result.errors.map((e) => ({ ...e, path: `body.${e.path}` })));
          return;
        case 'not-found':
          audit({ ...base, outcome: 'refused', status: 404 });
          notFound(res, 'Unknown notification', `No notification with id ${id.data}.`);
          return;
        case 'conflict':
          audit({ ...base, outcome: 'refused', status: 409, details: { code: result.code, detail: result.detail } });
          sendProblem(res, { type: `${PROBLEM_BASE}${result.code}`, title: 'Not resent', status: 409, detail: result.detail, ...(result.status ? { currentStatus: result.status } : {}) });
          return;
      }
    }),
  );

  app.post(
    '/v1/resend-jobs',
    guard('notifications:resend', 'resend-job.create'),
    express.json({ limit: '16kb' }),
    asyncRoute(async (req, res) => {
      const body = jobBodySchema.safeParse(req.body ?? {});
      if (!body.success) return invalid(res, body.error.issues, 'body');
      const job = await deps.jobs.create(body.data.filter, actor(req));
      audit({ actor: actor(req), action: 'resend-job.create', outcome: 'ok', status: 202, jobId: job.id, filter: body.data.filter, details: { total: job.total } });
      res.status(202).json({ id: job.id, total: job.total });
    }),
  );

  app.get(
    '/v1/resend-jobs',
    guard('notifications:read', 'resend-job.list'),
    asyncRoute(async (_req, res) => {
      res.json({ items: (await stores.jobs.list(100)).map(publicJob) });
    }),
  );

  app.get(
    '/v1/resend-jobs/:id',
    guard('notifications:read', 'resend-job.read'),
    asyncRoute(async (req, res) => {
      const job = await stores.jobs.get(String(req.params.id));
      if (!job) return notFound(res, 'Unknown resend job', `No resend job ${String(req.params.id)}.`);
      res.json(publicJob(job));
    }),
  );

  app.post(
    '/v1/resend-jobs/:id/cancel',
    guard('notifications:resend', 'resend-job.cancel'),
    asyncRoute(async (req, res) => {
      const id = String(req.params.id);
      const before = await stores.jobs.get(id);
      if (!before) return notFound(res, 'Unknown resend job', `No resend job ${id}.`);
      if (before.state !== 'running') {
        audit({ actor: actor(req), action: 'resend-job.cancel', outcome: 'refused', status: 409, jobId: id, details: { state: before.state } });
        sendProblem(res, { type: `${PROBLEM_BASE}job-not-running`, title: 'Job is not running', status: 409, detail: `The job is ${before.state}.`, state: before.state });
        return;
      }
      const job = await stores.jobs.cancel(id);
      audit({ actor: actor(req), action: 'resend-job.cancel', outcome: 'ok', status: 200, jobId: id, details: { done: job?.done, total: job?.total } });
      res.json(job ? publicJob(job) : undefined);
    }),
  );

  app.get(
    '/v1/callbacks/dead',
    guard('notifications:read', 'callbacks.dead.read'),
    asyncRoute(async (req, res) => {
      const query = callbackDeadQuerySchema.safeParse(req.query);
      if (!query.success) return invalid(res, query.error.issues, 'query');
      const dead = await stores.callbacks.listDead(query.data.key, rangeOf(query.data));
      res.json({ key: query.data.key, total: dead.length, items: dead.slice(0, 100).map((d) => ({ id: d.batch.id, at: d.at, reason: d.reason, attempts: d.attempts, items: callbackBatchSize(d.batch), type: d.batch.type })) });
    }),
  );

  app.post(
    '/v1/callbacks/replay',
    guard('notifications:resend', 'callbacks.replay'),
    express.json({ limit: '4kb' }),
    asyncRoute(async (req, res) => {
      const body = callbackReplayBodySchema.safeParse(req.body ?? {});
      if (!body.success) return invalid(res, body.error.issues, 'body');
      const base = { actor: actor(req), action: 'callbacks.replay', filter: { ...body.data } };
      const target = deps.keys().callbackOf(body.data.key);
      if (!target) {
        audit({ ...base, outcome: 'refused', status: 404 });
        return notFound(res, 'No callback for this key', `The key "${body.data.key}" is not active or has no callback URL (keys callback ${body.data.key} --url ...).`);
      }
      const result = await deps.callbacks.replay(target, rangeOf(body.data));
      audit({ ...base, outcome: 'ok', status: 200, details: { ...result } });
      res.json(result);
    }),
  );

  app.get(
    '/v1/audit',
    guard('admin', 'audit.read'),
    asyncRoute(async (req, res) => {
      const parsed = auditQuerySchema.safeParse(req.query);
      if (!parsed.success) return invalid(res, parsed.error.issues, 'query');
      const q = parsed.data;
      const result = await stores.audit.query(toEpochRange(q));
      res.json({ items: result.items, total: result.total, page: q.page, pageSize: q.pageSize });
    }),
  );

  app.get(
    '/v1/meetings/:meetingId/attendance',
    guard('notifications:read', 'meeting.attendance'),
    asyncRoute(async (req, res) => {
      const meetingId = String(req.params.meetingId);
      if (!/^[A-Za-z0-9._:-]{1,128}$/.test(meetingId)) return invalid(res, [{ code: 'custom', path: ['meetingId'], message: 'must be a meeting id', input: meetingId }], 'params');
      const asked = typeof req.query.source === 'string' ? req.query.source : undefined;
      if (asked !== undefined && !sourceSchema.safeParse(asked).success) return invalid(res, [{ code: 'custom', path: ['source'], message: 'must be a source (hệ thống gửi)', input: asked }], 'query');
      const own = req.principal?.sources;
      // Meeting ids are the senders' own: a key of one source needs no ?source=; others name it.
      const source = asked ?? (own !== undefined && own.size === 1 ? [...own][0] : undefined);
      if (source === undefined) return invalid(res, [{ code: 'custom', path: ['source'], message: 'required: the source (hệ thống gửi) that owns the meeting', input: undefined }], 'query');
      const meeting = own === undefined || own.has(source) ? await stores.attendance.links.meeting(source, meetingId) : undefined;
      // Another source's meeting reads as unknown: its existence is not this key's to learn.
      if (!meeting) return notFound(res, 'Unknown meeting', `No meeting ${meetingId} of ${source} that requires confirmation is known.`);
      res.json(attendanceReport(meeting, await stores.attendance.answers.answers(source, meetingId)));
    }),
  );

  if (deps.attendancePage) app.use(createAttendancePageRouter({ ...deps.attendancePage, stores: stores.attendance, logger: logger.child({ component: 'attendance-page' }) }));

  if (deps.devOutbox) {
    const outbox = deps.devOutbox;
    app.get('/v1/dev-outbox/emails', guard('notifications:read', 'dev-outbox.read'), (_req, res) => {
      res.json({ items: outbox.emails(200) });
    });
    app.get('/v1/dev-outbox/sms', guard('notifications:read', 'dev-outbox.read'), (_req, res) => {
      res.json({ items: outbox.sms(200) });
    });
  }

  mountConsole(app);

  app.use(noRoute());
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    // The operator has no answer of its own for a body over the limit or in another charset: a plain 4xx.
    const bodyError = bodyErrorProblem(err, { tooLarge: false, malformed: { detail: () => 'The body is not valid JSON.', fieldMessage: 'not valid JSON' }, encoding: false });
    if (bodyError) {
      sendProblem(res, bodyError.problem);
      return;
    }
    logger.error({ err: err.message }, 'request failed');
    sendProblem(res, { type: `${PROBLEM_BASE}unavailable`, title: 'Temporarily unavailable', status: 503, detail: 'A store or the bus did not answer; retry (a resend with the same requestId is never sent twice).' });
  });
  return app;
}
