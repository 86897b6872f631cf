// @ts-check
import { api } from '../api.js';
import { h, fmtTime, view } from '../dom.js';
import { CHANNEL, STATUS, URGENCY } from '../labels.js';
import { badge, bars, contact, eventLink, notifLink, statusClass } from '../parts.js';

const UNFINISHED = 'rendered,queued,sending,retrying,failed,dead,undelivered';

export async function overviewPage() {
  const from = new Date(Date.now() - 24 * 3600 * 1000).toISOString();
  const [day, urgent] = await Promise.all([
    api.notifications({ from, pageSize: '0' }),
    api.notifications({ status: UNFINISHED, urgency: 'hoa-toc,thuong-khan,khan', sort: 'updatedAt', pageSize: '10' }),
  ]);
  view(
    h('h1', {}, 'Tổng quan 24 giờ qua'),
    h('div', { className: 'grid' },
      h('section', { className: 'card' }, h('h2', {}, `Theo trạng thái (${day.total} tin)`), bars(day.totals.byStatus, STATUS, statusClass)),
      h('section', { className: 'card' }, h('h2', {}, 'Theo kênh'), bars(day.totals.byChannel, CHANNEL))),
    h('section', { className: 'card' }, h('h2', {}, 'Tin khẩn chưa đến người nhận, cũ nhất trước'),
      urgent.items.length === 0 ? h('p', { className: 'muted' }, 'Không có tin khẩn nào đang chờ.') :
        h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Cập nhật'), h('th', {}, 'Độ khẩn'), h('th', {}, 'Người nhận'), h('th', {}, 'Kênh'), h('th', {}, 'Trạng thái'), h('th', {}, 'Sự kiện'))),
          h('tbody', {}, urgent.items.map((n) => h('tr', {}, h('td', {}, notifLink(n.messageId, fmtTime(n.updatedAt))), h('td', {}, (n.urgency && URGENCY[n.urgency]) || ''), h('td', {}, contact(n.recipient)), h('td', {}, CHANNEL[n.channel]), h('td', {}, badge(n.status)), h('td', {}, eventLink(n.eventId))))))));
}
