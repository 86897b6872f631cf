// @ts-check
/* global window, sessionStorage, fetch, location, URLSearchParams */
// The operator API as the pages call it: the key from the tab's sessionStorage, JSON both ways,
// and every refusal turned into one Vietnamese sentence (problems.js).
import './problems.js';

const KEY = 'gw-operator-key';
const problems = window.GatewayProblems;

/** A call the API refused or could not answer; `message` is what the clerk reads. */
export class ApiError extends Error {
  /**
   * @param {string} message
   * @param {number} status
   * @param {unknown} problem
   */
  constructor(message, status, problem) {
    super(message);
    this.status = status;
    this.problem = problem;
  }
}

/** @param {unknown} err */
export const isSignedOut = (err) => err instanceof ApiError && err.status === 401;

/** @param {unknown} err */
export const messageOf = (err) => (err instanceof Error ? err.message : String(err));

export const session = {
  has: () => !!sessionStorage.getItem(KEY),
  /** @param {string} key */
  set: (key) => sessionStorage.setItem(KEY, key),
  clear: () => sessionStorage.removeItem(KEY),
};

/**
 * @template T
 * @param {string} path
 * @param {{ method?: string, body?: unknown }} [options]
 * @returns {Promise<T>}
 */
async function call(path, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { authorization: `Bearer ${sessionStorage.getItem(KEY) || ''}` };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let res;
  let data;
  try {
    res = await fetch(path, { method: options.method || 'GET', headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    const text = await res.text();
    data = text ? JSON.parse(text) : undefined;
  } catch {
    throw new Error(problems.NETWORK_TEXT);
  }
  if (res.status === 401) {
    session.clear();
    location.hash = '#/dang-nhap';
  }
  if (!res.ok) throw new ApiError(problems.problemText(res.status, data), res.status, data);
  return data;
}

/** @param {Record<string, string>} params */
const qs = (params) => new URLSearchParams(params).toString();
/** @param {string} id */
const notification = (id) => `/v1/notifications/${encodeURIComponent(id)}`;
/** @param {string} id */
const job = (id) => `/v1/resend-jobs/${encodeURIComponent(id)}`;

/** @typedef {import('./types.js').NotificationPage} NotificationPage */

export const api = {
  /** @returns {Promise<import('./types.js').Me>} */
  me: () => call('/v1/me'),
  /**
   * @param {Record<string, string>} params
   * @returns {Promise<NotificationPage>}
   */
  notifications: (params) => call(`/v1/notifications?${qs(params)}`),
  /**
   * @param {string} id
   * @returns {Promise<import('./types.js').NotificationDetail>}
   */
  notification: (id) => call(notification(id)),
  /**
   * @param {string} id
   * @param {{ requestId: string, phone?: string, email?: string, updateDirectory?: boolean }} body
   * @returns {Promise<import('./types.js').Resent>}
   */
  resend: (id, body) => call(`${notification(id)}/resend`, { method: 'POST', body }),
  /** @returns {Promise<import('./types.js').Items<import('./types.js').ResendJob>>} */
  jobs: () => call('/v1/resend-jobs'),
  /**
   * @param {string} id
   * @returns {Promise<import('./types.js').ResendJob>}
   */
  job: (id) => call(job(id)),
  /**
   * @param {Record<string, string>} filter
   * @returns {Promise<import('./types.js').ResendJob>}
   */
  startJob: (filter) => call('/v1/resend-jobs', { method: 'POST', body: { filter } }),
  /**
   * @param {string} id
   * @returns {Promise<unknown>}
   */
  cancelJob: (id) => call(`${job(id)}/cancel`, { method: 'POST' }),
  /**
   * @param {string} id
   * @param {string | undefined} source
   * @returns {Promise<import('./types.js').EventReport>}
   */
  report: (id, source) => call(`/v1/events/${encodeURIComponent(id)}/report${source ? `?source=${encodeURIComponent(source)}` : ''}`),
  /**
   * @param {Record<string, string>} params
   * @returns {Promise<import('./types.js').Items<import('./types.js').AuditEntry>>}
   */
  audit: (params) => call(`/v1/audit?${qs(params)}`),
  /** @returns {Promise<import('./types.js').Items<import('./types.js').CapturedEmail>>} */
  outboxEmails: () => call('/v1/dev-outbox/emails'),
  /** @returns {Promise<import('./types.js').Items<import('./types.js').CapturedSms>>} */
  outboxSms: () => call('/v1/dev-outbox/sms'),
};
