// @ts-check
// Pieces several pages show: status badges, links to a notification or an event, bar charts.
import { h } from './dom.js';
import { STATUS } from './labels.js';

/** @param {string} status */
export const badge = (status) => h('span', { className: `badge st-${status}` }, STATUS[status] || status);
/**
 * @param {string} hash
 * @param {string} text
 */
export const link = (hash, text) => h('a', { href: hash }, text);
/**
 * @param {string} id
 * @param {string} [text]
 */
export const notifLink = (id, text) => link(`#/thong-bao/${encodeURIComponent(id)}`, text || id);
/** @param {string} id */
export const eventLink = (id) => link(`#/su-kien/${encodeURIComponent(id)}`, id);
/** @param {import('./types.js').Recipient | undefined} r */
export const contact = (r) => (r ? [r.name, r.phone ? ` · ${r.phone}` : '', r.email ? ` · ${r.email}` : ''].join('') : '(chưa rõ người nhận)');

/**
 * A notice that a message was resent, with a link to the resend.
 * @param {import('./types.js').ResendLink} resentAs
 */
export const resentLink = (resentAs) => notifLink(resentAs.messageId, resentAs.status ? (STATUS[resentAs.status] || resentAs.status) : 'đang gửi');

/**
 * @param {Record<string, number>} counts
 * @param {Readonly<Record<string, string>>} labels
 * @param {(key: string) => string} [classOf]
 */
export function bars(counts, labels, classOf) {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  const max = Math.max(1, ...entries.map(([, n]) => n));
  if (entries.length === 0) return h('p', { className: 'muted' }, 'Chưa có tin nào.');
  return h('div', { className: 'bars' }, entries.map(([k, n]) => {
    const fill = h('span', { className: classOf ? classOf(k) : '' });
    fill.style.width = `${Math.round((n / max) * 100)}%`;
    return h('div', { className: 'row' }, h('span', {}, labels[k] || k), h('div', { className: 'bar', role: 'img', 'aria-label': `${labels[k] || k}: ${n}` }, fill), h('span', {}, String(n)));
  }));
}

/** @param {string} s */
export const statusClass = (s) => (['sent', 'delivered', 'read'].includes(s) ? 'ok' : ['failed', 'dead', 'undelivered'].includes(s) ? 'bad' : ['retrying', 'sending', 'queued'].includes(s) ? 'warn' : '');
