// @ts-check
/* global crypto */
import { api, messageOf } from '../api.js';
import { h } from '../dom.js';
import { notifLink } from '../parts.js';

/**
 * The form that resends a message to a corrected number or address (on the list and on the detail page).
 * @param {import('../types.js').NotificationItem} n
 * @param {HTMLElement} msg where the list row says how its plain resend went; emptied on success
 */
export function correctionForm(n, msg) {
  const requestId = crypto.randomUUID();
  const isEmail = n.channel === 'email';
  const input = h('input', isEmail ? { name: 'email', type: 'email', required: true, value: (n.recipient && n.recipient.email) || '', 'aria-label': 'Email đúng' } : { name: 'phone', required: true, value: (n.recipient && n.recipient.phone) || '', 'aria-label': 'Số điện thoại đúng' });
  const dir = h('input', { type: 'checkbox', name: 'updateDirectory', checked: true });
  const err = h('div', { className: 'error', role: 'alert' });
  const submit = h('button', { type: 'submit', className: 'primary' }, 'Gửi lại với thông tin đã sửa');
  const form = h('form', { className: 'correct', onsubmit: async (e) => {
    e.preventDefault();
    submit.disabled = true;
    const body = isEmail ? { requestId, updateDirectory: dir.checked, email: input.value } : { requestId, updateDirectory: dir.checked, phone: input.value };
    try {
      const r = await api.resend(n.messageId, body);
      form.replaceWith(h('div', { className: 'notice' }, 'Đã sửa và gửi lại. ', notifLink(r.messageId, 'Xem tin mới')));
      msg.replaceChildren();
    } catch (e2) {
      err.textContent = messageOf(e2);
      submit.disabled = false;
    }
  } },
  h('label', {}, isEmail ? 'Email đúng' : 'Số điện thoại đúng', input),
  h('label', { className: 'inline' }, dir, 'Cập nhật luôn vào danh bạ'),
  h('div', { className: 'actions' }, submit), err);
  return form;
}
