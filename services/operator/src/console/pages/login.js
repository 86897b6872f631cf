// @ts-check
/* global location */
import { ApiError, messageOf, session } from '../api.js';
import { h, view } from '../dom.js';
import { loadMe } from '../user.js';

/** @param {string} [message] */
export function loginPage(message) {
  const input = h('input', { type: 'password', name: 'key', autocomplete: 'off', required: true, 'aria-label': 'Khóa truy cập', size: 48 });
  const error = h('div', { className: 'error', role: 'alert' }, message || '');
  const form = h('form', { className: 'card login', onsubmit: async (e) => {
    e.preventDefault();
    session.set(input.value.trim());
    try {
      await loadMe();
      location.hash = '#/';
    } catch (err) {
      session.clear();
      error.textContent = err instanceof ApiError && err.status === 401 ? 'Khóa không đúng hoặc đã bị thu hồi.' : messageOf(err);
    }
  } },
  h('h1', {}, 'Đăng nhập'),
  h('p', { className: 'muted' }, 'Dán khóa truy cập do quản trị viên cấp cho bạn. Khóa chỉ được giữ trong thẻ trình duyệt này và mất khi đóng thẻ.'),
  h('label', {}, 'Khóa truy cập', input), h('p', {}, h('button', { className: 'primary', type: 'submit' }, 'Đăng nhập')), error);
  view(form);
  input.focus();
}
