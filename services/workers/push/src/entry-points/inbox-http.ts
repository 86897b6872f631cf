import express, { type Request, type Response, type Router } from 'express';
import { PROBLEM_BASE, requireScope, sendInvalidFields, sendProblem, type KeyRing, type Logger } from '@gateway/common';
import { routerErrors, STORE_RETRY_AFTER_SECONDS, userIdFromQuery } from './http-support';
import { serveInboxStream } from './inbox-sse';
import { isInboxItemId, type InboxStore } from '../data-access/inbox-store';

/** A user read an in-app item; the service records it as the message's `read` status. */
export interface ReadReceipt {
  messageId: string;
  eventId: string;
  userId: string;
  /** ISO 8601. */
  at: string;
}

export interface InboxRouterDeps {
  store: InboxStore;
  keys: () => KeyRing;
  logger: Logger;
  onRead: (receipt: ReadReceipt) => Promise<void> | void;
  /** Comment lines that keep proxies from closing an idle stream; 15 s by default. */
  heartbeatMs?: number;
  /** A stream client this far behind is disconnected (it resumes from Last-Event-ID). */
  maxBufferedBytes?: number;
  now?: () => Date;
}

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

function pageOf(req: Request, res: Response): { cursor?: string; limit: number } | undefined {
  const { cursor, limit } = req.query;
  const errors: Array<{ path: string; message: string }> = [];
  let size = DEFAULT_PAGE_SIZE;
  if (limit !== undefined) {
    const n = typeof limit === 'string' && /^\d{1,4}$/.test(limit) ? Number(limit) : NaN;
    if (n >= 1 && n <= MAX_PAGE_SIZE) size = n;
    else errors.push({ path: 'query.limit', message: `must be a whole number from 1 to ${MAX_PAGE_SIZE}` });
  }
  if (cursor !== undefined && cursor !== '' && !isInboxItemId(cursor)) errors.push({ path: 'query.cursor', message: 'must be the nextCursor of a previous page' });
  if (errors.length > 0) {
    sendInvalidFields(res, 'Invalid paging parameters', errors);
    return undefined;
  }
  return typeof cursor === 'string' && cursor !== '' ? { cursor, limit: size } : { limit: size };
}

/**
 * The in-app inbox over HTTP, mounted at the root (paths start with /v1/inbox).
 *
 * Callers are the agency web app's backend acting for its logged-in user, with a key scoped
 * `notifications:read`; the user is `?userId=`, which the app is trusted to pass for its own
 * session (the key never reaches a browser, so the app's backend proxies the event stream).
 */
export function createInboxRouter(deps: InboxRouterDeps): Router {
  if (!deps?.store || typeof deps.keys !== 'function' || !deps.logger || typeof deps.onRead !== 'function') {
    throw new TypeError('createInboxRouter: store, keys, logger and onRead are required');
  }
  const { store } = deps;
  const logger = deps.logger.child({ component: 'inbox-http' });
  const now = deps.now ?? (() => new Date());
  const router = express.Router();
  router.use('/v1/inbox', requireScope({ keys: deps.keys, logger }, 'notifications:read'));

  /** Records each read; a read that cannot be recorded is undone so the user's next read records it. */
  async function recordReads(userId: string, items: Array<{ id: string; messageId: string; eventId: string }>): Promise<number> {
    const at = now().toISOString();
    const results = await Promise.allSettled(items.map((item) => Promise.resolve().then(() => deps.onRead({ messageId: item.messageId, eventId: item.eventId, userId, at }))));
    const failed = items.filter((_, i) => results[i]?.status === 'rejected');
    if (failed.length > 0) {
      const reason = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason as unknown;
      logger.warn({ userId, failed: failed.length, err: reason instanceof Error ? reason.message : String(reason) }, 'read status not recorded; item left unread');
      await store.markUnread(userId, failed.map((f) => f.id));
    }
    return failed.length;
  }

  function statusUnavailable(res: Response): void {
    res.set('Retry-After', String(STORE_RETRY_AFTER_SECONDS));
    sendProblem(res, { type: `${PROBLEM_BASE}unavailable`, title: 'Read status not recorded', status: 503, detail: 'The item is still unread; retry.' });
  }

  router.get('/v1/inbox', async (req, res) => {
    const userId = userIdFromQuery(req, res);
    if (userId === undefined) return;
    const page = pageOf(req, res);
    if (page === undefined) return;
    res.set('Cache-Control', 'no-store');
    res.json(await store.list(userId, page));
  });

  router.get('/v1/inbox/stream', async (req, res) => {
    const userId = userIdFromQuery(req, res);
    if (userId === undefined) return;
    // EventSource sends Last-Event-ID on reconnect; the query form lets a first connection
    // resume from the newest item the page already shows.
    const asked = req.get('last-event-id') ?? (typeof req.query.lastEventId === 'string' ? req.query.lastEventId : undefined);
    const lastEventId = isInboxItemId(asked) ? asked : undefined;
    await serveInboxStream(res, {
      store,
      userId,
      ...(lastEventId !== undefined ? { lastEventId } : {}),
      heartbeatMs: deps.heartbeatMs ?? 15_000,
      logger,
      ...(deps.maxBufferedBytes !== undefined ? { maxBufferedBytes: deps.maxBufferedBytes } : {}),
    });
  });

  router.post('/v1/inbox/read-all', async (req, res) => {
    const userId = userIdFromQuery(req, res);
    if (userId === undefined) return;
    const changed = await store.markAllRead(userId);
    const failed = await recordReads(userId, changed);
    if (failed > 0) {
      statusUnavailable(res);
      return;
    }
    res.json({ read: changed.length, unread: await store.unreadCount(userId) });
  });

  router.post('/v1/inbox/:itemId/read', async (req, res) => {
    const userId = userIdFromQuery(req, res);
    if (userId === undefined) return;
    const itemId = String(req.params.itemId ?? '');
    if (!isInboxItemId(itemId)) {
      sendInvalidFields(res, 'Invalid item id', [{ path: 'params.itemId', message: 'must be the id of an inbox item, e.g. 1727571600000-0' }]);
      return;
    }
    const result = await store.markRead(userId, itemId);
    if (!result.found) {
      sendProblem(res, { type: `${PROBLEM_BASE}not-found`, title: 'No such inbox item', status: 404, detail: `User "${userId}" has no inbox item "${itemId}".` });
      return;
    }
    if (result.changed && (await recordReads(userId, [{ id: itemId, messageId: result.messageId, eventId: result.eventId }])) > 0) {
      statusUnavailable(res);
      return;
    }
    res.json({ id: itemId, read: true, changed: result.changed, unread: await store.unreadCount(userId) });
  });

  router.use(routerErrors(logger, 'Inbox'));
  return router;
}
