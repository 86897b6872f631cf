// @ts-check
import { api } from '../api.js';
import { fmtTime, h, view } from '../dom.js';
import { go, routeBase } from '../router.js';

/** @param {Record<string, string>} params */
export async function auditPage(params) {
  const page = Number(params.page || 1);
  const data = await api.audit(Object.assign({}, params, { page: String(page), pageSize: '50' }));
  view(h('h1', {}, 'Nhật ký thao tác'),
    h('table', {}, h('thead', {}, h('tr', {}, ['Lúc', 'Ai', 'Việc', 'Kết quả', 'Chi tiết'].map((t) => h('th', {}, t)))),
      h('tbody', {}, data.items.map((e) => h('tr', {}, h('td', {}, fmtTime(e.at)), h('td', {}, e.actor), h('td', {}, e.action), h('td', {}, e.outcome === 'denied' ? `Bị từ chối (${e.status})` : e.outcome === 'ok' ? 'Thành công' : `Không thực hiện (${e.status})`),
        h('td', {}, h('pre', {}, JSON.stringify({ messageIds: e.messageIds, jobId: e.jobId, filter: e.filter, details: e.details }, null, 1))))))),
    h('div', { className: 'pager' }, `${data.total} mục`,
      h('button', { type: 'button', disabled: page <= 1, onclick: () => go(routeBase(), Object.assign({}, params, { page: String(page - 1) })) }, '‹ Trước'),
      h('button', { type: 'button', disabled: page * 50 >= data.total, onclick: () => go(routeBase(), Object.assign({}, params, { page: String(page + 1) })) }, 'Sau ›')));
}
