// @ts-check
/* global location */
import { api, ApiError } from '../api.js';
import { h, view } from '../dom.js';
import { CHANNEL, STATUS } from '../labels.js';
import { badge, bars, link, notifLink, statusClass } from '../parts.js';

const CHANNELS = ['sms', 'email', 'push', 'inapp'];

export function eventAsk() {
  const input = h('input', { name: 'eventId', required: true, 'aria-label': 'Mã sự kiện', size: 40 });
  view(h('h1', {}, 'Báo cáo sự kiện'), h('form', { className: 'filters', onsubmit: (e) => {
    e.preventDefault();
    location.hash = `#/su-kien/${encodeURIComponent(input.value.trim())}`;
  } }, h('label', {}, 'Mã sự kiện (cuộc họp hoặc văn bản)', input), h('button', { type: 'submit', className: 'primary' }, 'Xem')));
}

/**
 * The senders an ambiguous event id belongs to, when the API refused for that reason.
 * @param {unknown} err
 * @returns {unknown[] | undefined}
 */
function sendersOf(err) {
  if (!(err instanceof ApiError) || typeof err.problem !== 'object' || err.problem === null || !('sources' in err.problem)) return undefined;
  return Array.isArray(err.problem.sources) ? err.problem.sources : undefined;
}

/**
 * @param {string} id
 * @param {string | undefined} source
 */
export async function eventPage(id, source) {
  let r;
  try {
    r = await api.report(id, source);
  } catch (err) {
    // Event ids are each sending system's own: two systems may have used this one.
    const sources = sendersOf(err);
    if (!sources) throw err;
    return view(h('h1', {}, `Báo cáo sự kiện ${id}`), h('p', {}, 'Nhiều hệ thống gửi đã dùng mã sự kiện này. Chọn hệ thống:'),
      h('ul', {}, sources.map((s) => h('li', {}, link(`#/su-kien/${encodeURIComponent(id)}?source=${encodeURIComponent(String(s))}`, String(s))))));
  }
  view(h('h1', {}, `Báo cáo sự kiện ${r.eventId}${r.source ? ` (${r.source})` : ''}`),
    h('div', { className: 'grid' }, h('section', { className: 'card' }, h('h2', {}, `${r.total} tin, ${r.recipients.length} người nhận`), bars(r.counts, STATUS, statusClass)),
      r.unreached ? h('section', { className: 'card' }, h('h2', {}, `Chưa liên lạc được (${r.unreached.length})`),
        r.unreached.length === 0 ? h('p', { className: 'notice' }, 'Mọi đại biểu đã nhận được ít nhất một kênh.') : h('ul', {}, r.unreached.map((p) => h('li', {}, p.name || p.id)))) : ''),
    h('table', { id: 'report' }, h('thead', {}, h('tr', {}, h('th', {}, 'Người nhận'), CHANNELS.map((c) => h('th', {}, CHANNEL[c])))),
      h('tbody', {}, r.recipients.map(reportRow))));
}

/** @param {import('../types.js').ReportRecipient} p */
function reportRow(p) {
  /** @param {string} c */
  const cellFor = (c) => h('td', {}, p.channels.filter((x) => x.channel === c).map((x) =>
    h('div', {}, badge(x.status), ' ', notifLink(x.messageId, 'chi tiết'), x.resendOf ? h('span', { className: 'muted' }, ' (gửi lại)') : '')));
  return h('tr', {}, h('td', {}, p.name || p.id, h('div', { className: 'muted' }, [p.phone, p.email].filter(Boolean).join(' · '))), CHANNELS.map(cellFor));
}
