// @ts-check
import { api } from '../api.js';
import { fmtTime, h, view } from '../dom.js';

/** Development mode only: the mail and SMS the gateway kept instead of sending. */
export async function outboxPage() {
  const [emails, sms] = await Promise.all([api.outboxEmails(), api.outboxSms()]);
  const mailView = h('div', {});
  /** @param {import('../types.js').CapturedEmail} m */
  const showMail = (m) => {
    const frame = h('iframe', { className: 'mail', sandbox: '', title: `Thư: ${m.subject}`, referrerpolicy: 'no-referrer' });
    frame.srcdoc = m.html;
    mailView.replaceChildren(h('h2', {}, m.subject), h('div', { className: 'muted' }, `Gửi ${m.to}, ${fmtTime(m.at)}`), frame,
      h('h2', {}, 'Bản chữ thường'), h('pre', {}, m.text), ...(m.ics ? [h('h2', {}, 'Lịch họp đính kèm (iCalendar)'), h('pre', {}, m.ics)] : []));
  };
  view(h('h1', {}, 'Hộp thư thử nghiệm'),
    h('p', { className: 'muted' }, 'Chế độ chạy thử: thư và tin nhắn không gửi ra ngoài mà được giữ lại ở đây.'),
    h('section', { className: 'card' }, h('h2', {}, `Email (${emails.items.length})`),
      h('table', {}, h('tbody', {}, emails.items.map((m) => h('tr', {}, h('td', {}, fmtTime(m.at)), h('td', {}, m.to), h('td', {}, h('a', { href: '#', onclick: (e) => { e.preventDefault(); showMail(m); } }, m.subject)), h('td', {}, m.ics ? 'có lịch họp' : ''))))), mailView),
    h('section', { className: 'card' }, h('h2', {}, `Tin nhắn SMS (${sms.items.length})`),
      h('table', {}, h('thead', {}, h('tr', {}, ['Lúc', 'Số', 'Nội dung', 'Mã hóa', 'Số phần'].map((t) => h('th', {}, t)))),
        h('tbody', {}, sms.items.map((s) => h('tr', {}, h('td', {}, fmtTime(s.at)), h('td', {}, s.to), h('td', {}, s.body), h('td', {}, s.encoding), h('td', {}, String(s.segments))))))));
}
