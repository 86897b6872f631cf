import express from 'express';
import { PROBLEM_BASE, requireScope, sendProblem, type KeyRing, type Logger } from '@gateway/common';
import type { StatusStore } from '../projection/status-store';

export function createOperatorApp(deps: { store: StatusStore; keys: () => KeyRing; logger: Logger; readiness: () => Promise<Record<string, boolean>> }): express.Express {
  const app = express();
  app.disable('x-powered-by');
  const auth = { keys: deps.keys, logger: deps.logger };

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const report = await deps.readiness();
    const ready = Object.values(report).every(Boolean);
    res.status(ready ? 200 : 503).json({ ready, ...report });
  });

  app.get('/v1/notifications/:id', requireScope(auth, 'notifications:read'), async (req, res) => {
    const id = String(req.params.id);
    if (!/^[A-Za-z0-9._:-]{1,256}$/.test(id)) {
      sendProblem(res, { type: `${PROBLEM_BASE}invalid-fields`, title: 'Invalid request', status: 400, errors: [{ path: 'params.id', message: 'must be a message id (letters, digits, ".", "_", ":" or "-")' }] });
      return;
    }
    const view = await deps.store.get(id);
    if (!view) {
      sendProblem(res, { type: `${PROBLEM_BASE}not-found`, title: 'Unknown notification', status: 404, detail: `No notification with id ${id} (statuses are kept 90 days).` });
      return;
    }
    res.json(view);
  });

  app.use((req, res) => sendProblem(res, { type: `${PROBLEM_BASE}not-found`, title: 'Not found', status: 404, detail: `No route for ${req.method} ${req.path}.` }));
  return app;
}
