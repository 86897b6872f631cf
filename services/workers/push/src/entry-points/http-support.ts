import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { idSchema } from '@gateway/contracts';
import { bodyErrorProblem, isJsonContentType, PROBLEM_BASE, sendInvalidFields, sendProblem, type Logger } from '@gateway/common';

export const STORE_RETRY_AFTER_SECONDS = 5;

/** 415 unless the body is JSON, then parses it (bounded). */
export function jsonBody(limitBytes: number): RequestHandler[] {
  return [
    (req, res, next) => {
      if (isJsonContentType(req.get('content-type'))) next();
      else sendProblem(res, { type: `${PROBLEM_BASE}unsupported-media-type`, title: 'Unsupported content type', status: 415, detail: 'Send JSON with "Content-Type: application/json".' });
    },
    express.json({ limit: limitBytes, strict: true, type: (req) => isJsonContentType(req.headers['content-type']) }),
  ];
}

/**
 * The user an agency app acts for, from `?userId=`. The app is trusted to pass its logged-in
 * user's id (its key is scoped for that); undefined after answering 400.
 */
export function userIdFromQuery(req: Request, res: Response): string | undefined {
  const value = req.query.userId;
  if (typeof value === 'string' && idSchema.safeParse(value).success) return value;
  sendInvalidFields(res, 'Missing or invalid userId', [{ path: 'query.userId', message: 'required: the id of the user the app acts for (letters, digits, ".", "_", ":" or "-", at most 128)' }]);
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
    const bodyError = bodyErrorProblem(err);
    if (bodyError) {
      sendProblem(res, bodyError.problem);
      return;
    }
    logger.error({ err: err instanceof Error ? err.message : String(err), path: req.path }, `${what} request failed`);
    res.set('Retry-After', String(STORE_RETRY_AFTER_SECONDS));
    sendProblem(res, { type: `${PROBLEM_BASE}unavailable`, title: `${what} temporarily unavailable`, status: 503, detail: 'The store did not answer. Retry; every request here can be repeated safely.' });
  };
}
