import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { isPlainObject, parseInputContract, type ContractIssue } from '@gateway/contracts';
import { bodyErrorProblem, isJsonContentType, mediaType, PROBLEM_BASE, requireScope, sendInvalidFields, sendProblem, type KeyRing, type Logger } from '@gateway/common';
import {
  directoryGroupSchema,
  directoryPersonSchema,
  DirectoryStoreError,
  importDirectory,
  importDirectoryCsv,
  isDirectoryId,
  MAX_PAGE_LIMIT,
  type DirectoryStore,
  type ImportResult,
  type PageRequest,
} from '@gateway/directory';

export interface DirectoryRouterDeps {
  store: DirectoryStore;
  keys: () => KeyRing;
  logger: Logger;
  /** Bodies of PUT /groups and POST /import; a group of 50,000 members is about 2.5 MB. */
  importLimitBytes?: number;
}

const DEFAULT_IMPORT_LIMIT_BYTES = 10 * 1024 * 1024;
const PERSON_LIMIT_BYTES = 64 * 1024;
const DEFAULT_PAGE_LIMIT = 100;
const RETRY_AFTER_SECONDS = 5;

const isJson = (req: Request): boolean => isJsonContentType(req.get('content-type'));

function notFound(res: Response, what: 'person' | 'group', id: string): void {
  sendProblem(res, { type: `${PROBLEM_BASE}not-found`, title: `No such ${what}`, status: 404, detail: `The directory has no ${what} with id "${id}".` });
}

function unsupported(res: Response, accepted: string): void {
  sendProblem(res, { type: `${PROBLEM_BASE}unsupported-media-type`, title: 'Unsupported content type', status: 415, detail: `Send ${accepted}.` });
}

/** Express 5 leaves a single route parameter a string; the id rules are the directory's. */
function idParam(req: Request, res: Response): string | undefined {
  const id = String(req.params.id ?? '');
  if (isDirectoryId(id)) return id;
  sendInvalidFields(res, 'Invalid id', [{ path: 'params.id', message: 'must start with a lowercase letter or digit and use only a-z, 0-9, ".", "_" or "-" (at most 128)' }]);
  return undefined;
}

function pageRequest(req: Request, res: Response): PageRequest | undefined {
  const errors: ContractIssue[] = [];
  const { cursor, limit } = req.query;
  let parsedLimit = DEFAULT_PAGE_LIMIT;
  if (limit !== undefined) {
    const n = typeof limit === 'string' && /^\d{1,7}$/.test(limit) ? Number(limit) : NaN;
    if (!(n >= 1 && n <= MAX_PAGE_LIMIT)) errors.push({ path: 'query.limit', message: `must be a whole number from 1 to ${MAX_PAGE_LIMIT}` });
    else parsedLimit = n;
  }
  if (cursor !== undefined && (typeof cursor !== 'string' || !isDirectoryId(cursor))) {
    errors.push({ path: 'query.cursor', message: 'must be the nextCursor of a previous page' });
  }
  if (errors.length > 0) {
    sendInvalidFields(res, 'Invalid paging parameters', errors);
    return undefined;
  }
  return typeof cursor === 'string' && cursor !== '' ? { cursor, limit: parsedLimit } : { limit: parsedLimit };
}

/** The body's id may be left out (the URL has it); if given it must agree, or the caller has mixed up two records. */
function withUrlId(body: unknown, id: string): { ok: true; value: Record<string, unknown> } | { ok: false; issues: ContractIssue[] } {
  if (!isPlainObject(body)) return { ok: false, issues: [{ path: '(root)', message: 'must be a JSON object' }] };
  if (body.id !== undefined && body.id !== id) return { ok: false, issues: [{ path: 'id', message: `must be "${id}", the id in the URL, or be left out` }] };
  return { ok: true, value: { ...body, id } };
}

/**
 * The directory's HTTP API, mounted by the composition root at /v1/directory. Every route,
 * reads included, needs the `directory:write` scope (or `admin`): the answers are contact data.
 */
export function createDirectoryRouter(deps: DirectoryRouterDeps): Router {
  if (!deps?.store || typeof deps.keys !== 'function' || !deps.logger) {
    throw new TypeError('createDirectoryRouter: store, keys and logger are required');
  }
  const { store } = deps;
  const logger = deps.logger.child({ component: 'directory-http' });
  const importLimit = deps.importLimitBytes ?? DEFAULT_IMPORT_LIMIT_BYTES;
  const router = express.Router();

  router.use(requireScope({ keys: deps.keys, logger }, 'directory:write'));

  const jsonBody = (limit: number) => express.json({ limit, strict: true, type: (req) => isJson(req as Request) });
  const requireJson = (req: Request, res: Response, next: NextFunction): void => {
    if (isJson(req)) next();
    else unsupported(res, 'JSON with "Content-Type: application/json"');
  };

  router.put('/people/:id', requireJson, jsonBody(PERSON_LIMIT_BYTES), async (req, res) => {
    const id = idParam(req, res);
    if (id === undefined) return;
    const body = withUrlId(req.body, id);
    const parsed = body.ok ? parseInputContract(directoryPersonSchema, body.value) : body;
    if (!parsed.ok) {
      sendInvalidFields(res, 'The person has invalid fields', parsed.issues);
      return;
    }
    const { created } = await store.upsertPerson(parsed.value);
    logger.info({ person: id, created }, 'person saved');
    res.status(created ? 201 : 200).json(parsed.value);
  });

  router.get('/people/:id', async (req, res) => {
    const id = idParam(req, res);
    if (id === undefined) return;
    const person = await store.getPerson(id);
    if (person === undefined) notFound(res, 'person', id);
    else res.json(person);
  });

  router.delete('/people/:id', async (req, res) => {
    const id = idParam(req, res);
    if (id === undefined) return;
    if (await store.deletePerson(id)) {
      logger.info({ person: id }, 'person deleted');
      res.status(204).end();
    } else notFound(res, 'person', id);
  });

  router.get('/people', async (req, res) => {
    const page = pageRequest(req, res);
    if (page !== undefined) res.json(await store.listPeople(page));
  });

  router.put('/groups/:id', requireJson, jsonBody(importLimit), async (req, res) => {
    const id = idParam(req, res);
    if (id === undefined) return;
    const body = withUrlId(req.body, id);
    const parsed = body.ok ? parseInputContract(directoryGroupSchema, body.value) : body;
    if (!parsed.ok) {
      sendInvalidFields(res, 'The group has invalid fields', parsed.issues);
      return;
    }
    const group = parsed.value;
    // Checked here, not in the store: a typo in a member id would make the group silently miss someone.
    const [people, groups] = await Promise.all([store.existingPersonIds(group.members), store.existingGroupIds(group.groups)]);
    const errors: ContractIssue[] = [];
    group.members.forEach((member, i) => {
      if (!people.has(member)) errors.push({ path: `members[${i}]`, message: `no person "${member}" in the directory; add the person first` });
    });
    group.groups.forEach((nested, i) => {
      if (!groups.has(nested)) errors.push({ path: `groups[${i}]`, message: `no group "${nested}" in the directory; add that group first` });
    });
    if (errors.length > 0) {
      sendInvalidFields(res, 'The group names people or groups that are not in the directory', errors);
      return;
    }
    const { created } = await store.upsertGroup(group);
    logger.info({ group: id, members: group.members.length, nested: group.groups.length, created }, 'group saved');
    res.status(created ? 201 : 200).json(group);
  });

  router.get('/groups/:id', async (req, res) => {
    const id = idParam(req, res);
    if (id === undefined) return;
    const group = await store.getGroup(id);
    if (group === undefined) notFound(res, 'group', id);
    else res.json(group);
  });

  router.delete('/groups/:id', async (req, res) => {
    const id = idParam(req, res);
    if (id === undefined) return;
    if (await store.deleteGroup(id)) {
      logger.info({ group: id }, 'group deleted');
      res.status(204).end();
    } else notFound(res, 'group', id);
  });

  router.get('/groups', async (req, res) => {
    const page = pageRequest(req, res);
    if (page !== undefined) res.json(await store.listGroups(page));
  });

  router.post(
    '/import',
    (req, res, next) => {
      if (isJson(req) || mediaType(req.get('content-type')) === 'text/csv') next();
      else unsupported(res, 'JSON ({ "people": [...], "groups": [...] }) as application/json, or CSV as text/csv');
    },
    jsonBody(importLimit),
    express.raw({ limit: importLimit, type: 'text/csv' }),
    async (req, res) => {
      let result: ImportResult;
      if (isJson(req)) {
        result = await importDirectory(store, req.body);
      } else {
        const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(req.get('content-type') ?? '')?.[1]?.toLowerCase();
        if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
          unsupported(res, 'the CSV as UTF-8 (in Excel: "CSV UTF-8 (Comma delimited)")');
          return;
        }
        let text: string;
        try {
          // fatal: a file saved in Windows-1258 or VNI must be refused, not imported as mojibake.
          text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
        } catch {
          unsupported(res, 'the CSV as UTF-8 (in Excel: "CSV UTF-8 (Comma delimited)"); this file is in another encoding');
          return;
        }
        result = await importDirectoryCsv(store, text);
      }
      if (!result.ok) {
        sendInvalidFields(res, 'The import cannot be read', result.issues);
        return;
      }
      const { report } = result;
      logger.info({ imported: report.imported, rejected: report.rejectedCount, format: isJson(req) ? 'json' : 'csv' }, 'directory import');
      res.json(report);
    },
  );

  // Body-parser errors carry a `type`; a store error says whether a retry helps.
  router.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    if (err instanceof DirectoryStoreError && err.retriable) {
      logger.warn({ err: err.message, path: req.path }, 'directory store unavailable');
      res.set('Retry-After', String(RETRY_AFTER_SECONDS));
      sendProblem(res, { type: `${PROBLEM_BASE}unavailable`, title: 'Directory temporarily unavailable', status: 503, detail: 'The directory store did not answer. Retry; every write here can be repeated safely.' });
      return;
    }
    const bodyError = bodyErrorProblem(err, {
      tooLarge: { title: 'Body too large', detail: `The body exceeds the limit for ${req.method} ${req.baseUrl}${req.path}.` },
      malformed: { detail: () => 'The body is not valid JSON.', fieldMessage: 'not valid JSON, or not a JSON object or array' },
      encoding: { title: 'Unsupported content type', detail: 'Send UTF-8.' },
    });
    if (bodyError) {
      sendProblem(res, bodyError.problem);
      return;
    }
    logger.error({ err, path: req.path }, 'directory request failed');
    sendProblem(res, { type: `${PROBLEM_BASE}internal`, title: 'Internal error', status: 500 });
  });

  return router;
}
