// @ts-check
import { api } from '../api.js';
import { fmtTime, h, later, view } from '../dom.js';
import { CHANNEL, URGENCY } from '../labels.js';
import { badge, contact, eventLink, notifLink, resentLink } from '../parts.js';
import { redraw } from '../router.js';
import { currentUser } from '../user.js';
import { correctionForm } from './correction.js';

/** @param {string} id */
export async function detailPage(id) {
  const n = await api.notification(id);
  const items = n.attemptHistory.map((a) => h('li', {},
    h('div', {}, h('strong', {}, `Lần ${a.attempt}`), ' — ', fmtTime(a.at), ' ', badge(a.outcome), a.provider ? ` qua ${a.provider}` : ''),
    a.answer ? h('div', { className: 'muted' }, `Nhà cung cấp trả lời: ${a.answer}`) : '',
    a.errorClass ? h('div', { className: 'muted' }, `Loại lỗi: ${a.errorClass === 'permanent' ? 'không thể thử lại' : 'tạm thời'}${a.code ? ` (mã ${a.code})` : ''}`) : '',
    a.nextAttemptAt ? h('div', { className: 'muted' }, `Thử lại lúc ${fmtTime(a.nextAttemptAt)}`) : ''));
  const me = currentUser();
  const canResend = me && me.canResend && n.resendable;
  const msg = h('div', {});
  view(h('h1', {}, 'Chi tiết thông báo'),
    h('section', { className: 'card' },
      h('div', {}, 'Trạng thái: ', h('span', { id: 'current-status' }, badge(n.status))),
      h('div', {}, 'Người nhận: ', contact(n.recipient)),
      h('div', {}, 'Kênh: ', CHANNEL[n.channel] || n.channel, ' · Sự kiện: ', eventLink(n.eventId), n.urgency ? ` · Độ khẩn: ${URGENCY[n.urgency]}` : ''),
      n.reasonText ? h('div', { className: 'error' }, n.reasonText) : '',
      n.resendOf ? h('div', {}, 'Gửi lại thay cho: ', notifLink(n.resendOf)) : '',
      n.resend ? h('div', { className: 'muted' }, `Người gửi lại: ${n.resend.by}, ${fmtTime(n.resend.at)}`) : '',
      n.resends.length ? h('div', {}, 'Các lần gửi lại: ', n.resends.map((r) => h('span', {}, notifLink(r.messageId), ' ', badge(r.status || ''), ' '))) : '',
      n.resentAs && !n.resendable ? h('div', { className: 'notice', id: 'resent-as' }, 'Đã gửi lại: ', resentLink(n.resentAs)) : '',
      canResend ? h('div', { className: 'actions' }, correctionForm(n, msg)) : '', msg),
    h('section', { className: 'card' }, h('h2', {}, 'Các lần gửi'), items.length ? h('ol', { className: 'timeline' }, items) : h('p', { className: 'muted' }, 'Chưa có lần gửi nào.')),
    h('section', { className: 'card' }, h('h2', {}, 'Toàn bộ lịch sử trạng thái'),
      h('table', {}, h('tbody', {}, n.history.map((s) => h('tr', {}, h('td', {}, fmtTime(s.at)), h('td', {}, badge(s.status)), h('td', {}, s.attempt ? `lần ${s.attempt}` : ''), h('td', {}, s.provider || ''), h('td', {}, s.reason || (s.error && s.error.message) || '')))))));
  if (['rendered', 'queued', 'sending', 'retrying'].includes(n.status)) later(redraw, 1000);
}
