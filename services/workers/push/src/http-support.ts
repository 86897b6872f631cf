import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { idSchema, type ContractIssue } from '@gateway/contracts';
import { PROBLEM_BASE, sendProblem, type Logger } from '@gateway/common';

export const STORE_RETRY_AFTER_SECONDS = 5;

function isJson(req: Request): boolean {
  const mime = (req.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return mime === 'application/json' || (mime.startsWith('application/') && mime.endsWith('+json'));
}

/** 415 unless the body is JSON, then parses it (bounded). */
export function jsonBody(limitBytes: number): RequestHandler[] {
  return [
    (req, res, next) => {
      if (isJson(req)) next();
      else sendProblem(res, { type: `${PROBLEM_BASE}unsupported-media-type`, title: 'Unsupported content type', status: 415, detail: 'Send JSON with "Content-Type: application/json".' });
    },
    express.json({ limit: limitBytes, strict: true, type: (req) => isJson(req as Request) }),
  ];
}

export function invalid(res: Response, title: string, errors: ContractIssue[]): void {
  sendProblem(res, { type: `${PROBLEM_BASE}invalid-fields`, title, status: 400, detail: `${errors.length} field(s) are invalid; see "errors".`, errors });
}

/**
 * The user an agency app acts for, from `?userId=`. The app is trusted to pass its logged-in
 * user's id (its key is scoped for that); undefined after answering 400.
 */
export function userIdFromQuery(req: Request, res: Response): string | undefined {
  const value = req.query.userId;
  if (typeof value === 'string' && idSchema.safeParse(value).success) return value;
  invalid(res, 'Missing or invalid userId', [{ path: 'query.userId', message: 'required: the id of the user the app acts for (letters, digits, ".", "_", ":" or "-", at most 128)' }]);
  return undefined;
}

/**
 * Last handler of a router: body-parser errors become problems, anything else is a store that
 * did not answer (503, retry) or our bug (500, no details leaked).
 */
export function routerErrors(logger: Logger, what: string) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const e = err as { type?: string; status?: number; name?: string };
    if (e.type === 'entity.too.large') {
      sendProblem(res, { type: `${PROBLEM_BASE}too-large`, title: 'Body too large', status: 413 });
      return;
    }
    if (e.type === 'entity.parse.failed') {
      sendProblem(res, { type: `${PROBLEM_BASE}malformed-json`, title: 'Malformed JSON', status: 400, errors: [{ path: '(body)', message: 'not valid JSON, or not a JSON object' }] });
      return;
    }
    if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
      sendProblem(res, { type: `${PROBLEM_BASE}unsupported-media-type`, title: 'Unsupported encoding', status: 415, detail: 'Send UTF-8 JSON.' });
      return;
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      sendProblem(res, { type: `${PROBLEM_BASE}bad-request`, title: 'Bad request', status: e.status });
      return;
    }
    logger.error({ err: err instanceof Error ? err.message : String(err), path: req.path }, `${what} request failed`);
    res.set('Retry-After', String(STORE_RETRY_AFTER_SECONDS));
    sendProblem(res, { type: `${PROBLEM_BASE}unavailable`, title: `${what} temporarily unavailable`, status: 503, detail: 'The store did not answer. Retry; every request here can be repeated safely.' });
  };
}
