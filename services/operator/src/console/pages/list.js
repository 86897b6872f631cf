// @ts-check
/* global window, crypto */
import { api, isSignedOut, messageOf } from '../api.js';
import { errorBox, fmtTime, h, view } from '../dom.js';
import { CHANNEL, FAILED_STATES, STATUS } from '../labels.js';
import { badge, eventLink, notifLink, resentLink } from '../parts.js';
import { go, routeBase } from '../router.js';
import { currentUser } from '../user.js';
import { correctionForm } from './correction.js';
import { bulkBox } from './jobs.js';

/** @typedef {Record<string, string>} Query */

/**
 * The failed messages (status preset) and the search: the same list with other defaults.
 * @param {Query} params
 * @param {{ title: string, defaults: Query }} page
 */
export async function listPage(params, { title, defaults }) {
  /** @type {Query} */
  const q = Object.assign({}, defaults, params);
  /**
   * @param {string} name
   * @param {string} label
   * @param {import('../dom.js').Attrs} [attrs]
   */
  const field = (name, label, attrs) => h('label', {}, label, h('input', Object.assign({ name, value: q[name] || '' }, attrs || {})));
  const statusSelect = h('select', { name: 'status' },
    [['', 'Tất cả'], [FAILED_STATES, 'Lỗi (thất bại, hết lượt, không đến)'], ...Object.entries(STATUS)].map(([v, t]) => h('option', { value: v, selected: (q.status || '') === v }, t)));
  const channelSelect = h('select', { name: 'channel' }, [['', 'Tất cả'], ...Object.entries(CHANNEL)].map(([v, t]) => h('option', { value: v, selected: (q.channel || '') === v }, t)));
  const form = h('form', { className: 'filters', onsubmit: (e) => {
    e.preventDefault();
    const data = new window.FormData(form);
    /** @type {Query} */
    const next = {};
    for (const [k, v] of data.entries()) if (String(v).trim()) next[k] = String(v).trim();
    if (!next.status) next.status = '';
    go(routeBase(), next);
  } },
  h('label', {}, 'Trạng thái', statusSelect), h('label', {}, 'Kênh', channelSelect),
  field('recipient', 'Người nhận (tên, số, email)', { type: 'search', placeholder: 'vd. Nguyễn Văn An hoặc 0905…' }),
  field('eventId', 'Mã sự kiện'), field('source', 'Hệ thống gửi'),
  field('from', 'Từ (ISO, vd. 2025-09-29T08:00:00+07:00)'), field('to', 'Đến'),
  h('label', { className: 'inline' }, h('input', { type: 'checkbox', name: 'attempts', value: 'all', checked: q.attempts === 'all' }), 'Hiện cả các lần gửi trước của tin đã gửi lại'),
  h('button', { type: 'submit', className: 'primary' }, 'Lọc'));
  const out = h('div', {});
  view(h('h1', {}, title), form, out);
  // The filter form stays: a refused filter (a "from" that is not a date) is fixed right there.
  try {
    await renderList(out, q);
  } catch (err) {
    if (!isSignedOut(err)) out.replaceChildren(errorBox(messageOf(err)));
  }
}

/**
 * The list's filter as the API and a bulk resend take it.
 * @param {Query} q
 */
function apiFilter(q) {
  /** @type {Query} */
  const f = {};
  for (const k of ['status', 'channel', 'eventId', 'source', 'recipient', 'from', 'to']) {
    const v = q[k];
    if (v) f[k] = v;
  }
  return f;
}

/**
 * @param {HTMLElement} out
 * @param {Query} q
 */
async function renderList(out, q) {
  const page = Number(q.page || 1);
  // One row per notification (its latest attempt, as a bulk resend takes it) unless asked for every attempt.
  /** @type {Query} */
  const attempts = q.attempts === 'all' ? { attempts: 'all' } : {};
  const data = await api.notifications(Object.assign(apiFilter(q), attempts, { page: String(page), pageSize: '50', sort: '-updatedAt' }));
  const me = currentUser();
  const canResend = me && me.canResend;
  const rows = data.items.map((n) => {
    const requestId = crypto.randomUUID();
    const cell = h('td', {});
    const row = h('tr', { 'data-message-id': n.messageId },
      h('td', {}, notifLink(n.messageId, fmtTime(n.updatedAt))),
      h('td', {}, h('div', {}, n.recipient ? n.recipient.name : '(chưa rõ)'), h('div', { className: 'muted' }, n.recipient ? [n.recipient.phone, n.recipient.email].filter(Boolean).join(' · ') : '')),
      h('td', {}, CHANNEL[n.channel] || n.channel), h('td', {}, eventLink(n.eventId)), h('td', {}, badge(n.status)),
      h('td', {}, n.reasonText || n.reason || ''), cell);
    if (n.resentAs && !n.resendable) {
      cell.append(h('div', { className: 'notice' }, 'Đã gửi lại: ', resentLink(n.resentAs)));
    } else if (canResend && n.resendable) {
      const msg = h('div', { role: 'status' });
      const resendBtn = h('button', { type: 'button', onclick: async () => {
        resendBtn.disabled = true;
        try {
          const r = await api.resend(n.messageId, { requestId });
          msg.replaceChildren(h('span', { className: 'notice' }, 'Đã gửi lại: '), notifLink(r.messageId, 'xem tin mới'));
        } catch (err) {
          msg.replaceChildren(h('span', { className: 'error' }, messageOf(err)));
          resendBtn.disabled = false;
        }
      } }, 'Gửi lại');
      const fixBtn = h('button', { type: 'button', onclick: () => {
        fixBtn.disabled = true;
        cell.append(correctionForm(n, msg));
      } }, 'Sửa và gửi lại');
      cell.append(h('div', { className: 'actions' }, resendBtn, fixBtn), msg);
    }
    return row;
  });
  const pages = Math.max(1, Math.ceil(data.total / data.pageSize));
  out.replaceChildren(
    h('p', { className: 'muted' }, `${data.total} tin. Theo trạng thái: `, Object.entries(data.totals.byStatus).filter(([, c]) => c > 0).map(([s, c]) => `${STATUS[s] || s} ${c}`).join(', ') || '—'),
    canResend && data.total > 0 && q.status === FAILED_STATES && q.attempts !== 'all' ? bulkBox(apiFilter(q), data.total) : '',
    data.items.length === 0 ? h('p', {}, 'Không có tin nào khớp bộ lọc.') :
      h('table', { id: 'results' }, h('thead', {}, h('tr', {}, ['Cập nhật', 'Người nhận', 'Kênh', 'Sự kiện', 'Trạng thái', 'Lý do', ''].map((t) => h('th', {}, t)))), h('tbody', {}, rows)),
    h('div', { className: 'pager' },
      h('button', { type: 'button', disabled: page <= 1, onclick: () => go(routeBase(), Object.assign({}, q, { page: String(page - 1) })) }, '‹ Trước'),
      h('span', {}, `Trang ${page}/${pages}`),
      h('button', { type: 'button', disabled: page >= pages, onclick: () => go(routeBase(), Object.assign({}, q, { page: String(page + 1) })) }, 'Sau ›')));
}
