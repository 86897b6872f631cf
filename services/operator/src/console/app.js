/* global document, window, sessionStorage, fetch, location, setTimeout, clearTimeout, crypto, URLSearchParams, GatewayProblems */
// Operator console: no framework, no build. Every value from the API reaches the page through
// text nodes (h() below) or attributes set one by one, never through innerHTML.
'use strict';

const KEY = 'gw-operator-key';
const STATUS = {
  rendered: 'Đã soạn', skipped: 'Bỏ qua', queued: 'Chờ gửi', sending: 'Đang gửi', sent: 'Đã gửi', delivered: 'Đã đến máy',
  undelivered: 'Không đến được', read: 'Đã đọc', retrying: 'Đang thử lại', failed: 'Thất bại', dead: 'Hết lượt thử',
};
const CHANNEL = { sms: 'SMS', email: 'Email', push: 'Thông báo trình duyệt', inapp: 'Hộp thư ứng dụng' };
const URGENCY = { thuong: 'Thường', khan: 'Khẩn', 'thuong-khan': 'Thượng khẩn', 'hoa-toc': 'Hỏa tốc' };
const JOB_STATE = { running: 'Đang chạy', done: 'Xong', cancelled: 'Đã hủy', failed: 'Lỗi' };
const FAILED_STATES = 'failed,dead,undelivered';
const UNFINISHED = 'rendered,queued,sending,retrying,failed,dead,undelivered';

let me = null;
let timers = [];

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'className') el.className = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof window.Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const fmtTime = (iso) => (iso ? new Date(iso).toLocaleString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', hour12: false }) : '');
const badge = (status) => h('span', { className: `badge st-${status}` }, STATUS[status] || status);
const link = (hash, text) => h('a', { href: hash }, text);
const notifLink = (id, text) => link(`#/thong-bao/${encodeURIComponent(id)}`, text || id);
const eventLink = (id) => link(`#/su-kien/${encodeURIComponent(id)}`, id);
const contact = (r) => (r ? [r.name, r.phone ? ` · ${r.phone}` : '', r.email ? ` · ${r.email}` : ''].join('') : '(chưa rõ người nhận)');

async function api(path, options = {}) {
  const headers = { authorization: `Bearer ${sessionStorage.getItem(KEY) || ''}` };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let res;
  let data;
  try {
    res = await fetch(path, { method: options.method || 'GET', headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    const text = await res.text();
    data = text ? JSON.parse(text) : undefined;
  } catch {
    throw new Error(GatewayProblems.NETWORK_TEXT);
  }
  if (res.status === 401) {
    sessionStorage.removeItem(KEY);
    location.hash = '#/dang-nhap';
  }
  if (!res.ok) {
    const err = new Error(GatewayProblems.problemText(res.status, data));
    err.status = res.status;
    err.problem = data;
    throw err;
  }
  return data;
}

const errorBox = (message) => h('div', { className: 'error', role: 'alert' }, message);

function view(...children) {
  const app = document.getElementById('app');
  app.replaceChildren(...children.flat());
}

function later(fn, ms) {
  const t = setTimeout(fn, ms);
  timers.push(t);
}

// ---------- sign in ----------
function loginPage(message) {
  const input = h('input', { type: 'password', name: 'key', autocomplete: 'off', required: true, 'aria-label': 'Khóa truy cập', size: 48 });
  const error = h('div', { className: 'error', role: 'alert' }, message || '');
  const form = h('form', { className: 'card login', onsubmit: async (e) => {
    e.preventDefault();
    sessionStorage.setItem(KEY, input.value.trim());
    try {
      await loadMe();
      location.hash = '#/';
    } catch (err) {
      sessionStorage.removeItem(KEY);
      error.textContent = err.status === 401 ? 'Khóa không đúng hoặc đã bị thu hồi.' : err.message;
    }
  } },
  h('h1', {}, 'Đăng nhập'),
  h('p', { className: 'muted' }, 'Dán khóa truy cập do quản trị viên cấp cho bạn. Khóa chỉ được giữ trong thẻ trình duyệt này và mất khi đóng thẻ.'),
  h('label', {}, 'Khóa truy cập', input), h('p', {}, h('button', { className: 'primary', type: 'submit' }, 'Đăng nhập')), error);
  view(form);
  input.focus();
}

async function loadMe() {
  me = await api('/v1/me');
  document.getElementById('nav').hidden = false;
  document.getElementById('nav-audit').hidden = !me.isAdmin;
  document.getElementById('nav-outbox').hidden = !me.devOutbox;
  document.getElementById('logout').hidden = false;
  const role = me.isAdmin ? 'quản trị' : me.canResend ? 'điều hành' : 'chỉ xem';
  document.getElementById('who').textContent = `${me.name} (${role})`;
}

// ---------- overview ----------
function bars(counts, labels, classOf) {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  const max = Math.max(1, ...entries.map(([, n]) => n));
  if (entries.length === 0) return h('p', { className: 'muted' }, 'Chưa có tin nào.');
  return h('div', { className: 'bars' }, entries.map(([k, n]) => {
    const fill = h('span', { className: classOf ? classOf(k) : '' });
    fill.style.width = `${Math.round((n / max) * 100)}%`;
    return h('div', { className: 'row' }, h('span', {}, labels[k] || k), h('div', { className: 'bar', role: 'img', 'aria-label': `${labels[k] || k}: ${n}` }, fill), h('span', {}, String(n)));
  }));
}
const statusClass = (s) => (['sent', 'delivered', 'read'].includes(s) ? 'ok' : ['failed', 'dead', 'undelivered'].includes(s) ? 'bad' : ['retrying', 'sending', 'queued'].includes(s) ? 'warn' : '');

async function overviewPage() {
  const from = new Date(Date.now() - 24 * 3600 * 1000).toISOString();
  const [day, urgent] = await Promise.all([
    api(`/v1/notifications?${new URLSearchParams({ from, pageSize: '0' })}`),
    api(`/v1/notifications?${new URLSearchParams({ status: UNFINISHED, urgency: 'hoa-toc,thuong-khan,khan', sort: 'updatedAt', pageSize: '10' })}`),
  ]);
  view(
    h('h1', {}, 'Tổng quan 24 giờ qua'),
    h('div', { className: 'grid' },
      h('section', { className: 'card' }, h('h2', {}, `Theo trạng thái (${day.total} tin)`), bars(day.totals.byStatus, STATUS, statusClass)),
      h('section', { className: 'card' }, h('h2', {}, 'Theo kênh'), bars(day.totals.byChannel, CHANNEL))),
    h('section', { className: 'card' }, h('h2', {}, 'Tin khẩn chưa đến người nhận, cũ nhất trước'),
      urgent.items.length === 0 ? h('p', { className: 'muted' }, 'Không có tin khẩn nào đang chờ.') :
        h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Cập nhật'), h('th', {}, 'Độ khẩn'), h('th', {}, 'Người nhận'), h('th', {}, 'Kênh'), h('th', {}, 'Trạng thái'), h('th', {}, 'Sự kiện'))),
          h('tbody', {}, urgent.items.map((n) => h('tr', {}, h('td', {}, notifLink(n.messageId, fmtTime(n.updatedAt))), h('td', {}, URGENCY[n.urgency] || ''), h('td', {}, contact(n.recipient)), h('td', {}, CHANNEL[n.channel]), h('td', {}, badge(n.status)), h('td', {}, eventLink(n.eventId))))))));
}

// ---------- lists (failed messages, search) ----------
async function listPage(params, { title, defaults }) {
  const q = Object.assign({}, defaults, params);
  const field = (name, label, attrs) => h('label', {}, label, h('input', Object.assign({ name, value: q[name] || '' }, attrs || {})));
  const statusSelect = h('select', { name: 'status' },
    [['', 'Tất cả'], [FAILED_STATES, 'Lỗi (thất bại, hết lượt, không đến)'], ...Object.entries(STATUS)].map(([v, t]) => h('option', { value: v, selected: (q.status || '') === v }, t)));
  const channelSelect = h('select', { name: 'channel' }, [['', 'Tất cả'], ...Object.entries(CHANNEL)].map(([v, t]) => h('option', { value: v, selected: (q.channel || '') === v }, t)));
  const form = h('form', { className: 'filters', onsubmit: (e) => {
    e.preventDefault();
    const data = new window.FormData(form);
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
    if (err.status !== 401) out.replaceChildren(errorBox(err.message));
  }
}

function routeBase() {
  return location.hash.split('?')[0];
}

function go(base, params) {
  const qs = new URLSearchParams(params).toString();
  const next = `${base}${qs ? `?${qs}` : ''}`;
  if (location.hash === next) route();
  else location.hash = next;
}

function apiFilter(q) {
  const f = {};
  for (const k of ['status', 'channel', 'eventId', 'source', 'recipient', 'from', 'to']) if (q[k]) f[k] = q[k];
  return f;
}

async function renderList(out, q) {
  const page = Number(q.page || 1);
  // One row per notification (its latest attempt, as a bulk resend takes it) unless asked for every attempt.
  const attempts = q.attempts === 'all' ? { attempts: 'all' } : {};
  const data = await api(`/v1/notifications?${new URLSearchParams(Object.assign(apiFilter(q), attempts, { page: String(page), pageSize: '50', sort: '-updatedAt' }))}`);
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
      cell.append(h('div', { className: 'notice' }, 'Đã gửi lại: ', notifLink(n.resentAs.messageId, n.resentAs.status ? (STATUS[n.resentAs.status] || n.resentAs.status) : 'đang gửi')));
    } else if (canResend && n.resendable) {
      const msg = h('div', { role: 'status' });
      const resendBtn = h('button', { type: 'button', onclick: async () => {
        resendBtn.disabled = true;
        try {
          const r = await api(`/v1/notifications/${encodeURIComponent(n.messageId)}/resend`, { method: 'POST', body: { requestId } });
          msg.replaceChildren(h('span', { className: 'notice' }, 'Đã gửi lại: '), notifLink(r.messageId, 'xem tin mới'));
        } catch (err) {
          msg.replaceChildren(h('span', { className: 'error' }, err.message));
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
    canResend && data.total > 0 && q.status === FAILED_STATES && q.attempts !== 'all' ? bulkBox(q, data.total) : '',
    data.items.length === 0 ? h('p', {}, 'Không có tin nào khớp bộ lọc.') :
      h('table', { id: 'results' }, h('thead', {}, h('tr', {}, ['Cập nhật', 'Người nhận', 'Kênh', 'Sự kiện', 'Trạng thái', 'Lý do', ''].map((t) => h('th', {}, t)))), h('tbody', {}, rows)),
    h('div', { className: 'pager' },
      h('button', { type: 'button', disabled: page <= 1, onclick: () => go(routeBase(), Object.assign({}, q, { page: String(page - 1) })) }, '‹ Trước'),
      h('span', {}, `Trang ${page}/${pages}`),
      h('button', { type: 'button', disabled: page >= pages, onclick: () => go(routeBase(), Object.assign({}, q, { page: String(page + 1) })) }, 'Sau ›')));
}

function correctionForm(n, msg) {
  const requestId = crypto.randomUUID();
  const isEmail = n.channel === 'email';
  const input = h('input', isEmail ? { name: 'email', type: 'email', required: true, value: (n.recipient && n.recipient.email) || '', 'aria-label': 'Email đúng' } : { name: 'phone', required: true, value: (n.recipient && n.recipient.phone) || '', 'aria-label': 'Số điện thoại đúng' });
  const dir = h('input', { type: 'checkbox', name: 'updateDirectory', checked: true });
  const err = h('div', { className: 'error', role: 'alert' });
  const form = h('form', { className: 'correct', onsubmit: async (e) => {
    e.preventDefault();
    const submit = form.querySelector('button[type=submit]');
    submit.disabled = true;
    const body = { requestId, updateDirectory: dir.checked };
    body[isEmail ? 'email' : 'phone'] = input.value;
    try {
      const r = await api(`/v1/notifications/${encodeURIComponent(n.messageId)}/resend`, { method: 'POST', body });
      form.replaceWith(h('div', { className: 'notice' }, 'Đã sửa và gửi lại. ', notifLink(r.messageId, 'Xem tin mới')));
      msg.replaceChildren();
    } catch (e2) {
      err.textContent = e2.message;
      submit.disabled = false;
    }
  } },
  h('label', {}, isEmail ? 'Email đúng' : 'Số điện thoại đúng', input),
  h('label', { className: 'inline' }, dir, 'Cập nhật luôn vào danh bạ'),
  h('div', { className: 'actions' }, h('button', { type: 'submit', className: 'primary' }, 'Gửi lại với thông tin đã sửa')), err);
  return form;
}

function bulkBox(q, total) {
  const box = h('div', { className: 'card', id: 'bulk' });
  const start = h('button', { type: 'button', className: 'primary', onclick: async () => {
    start.disabled = true;
    try {
      const job = await api('/v1/resend-jobs', { method: 'POST', body: { filter: apiFilter(q) } });
      watchJob(box, job.id);
    } catch (err) {
      box.append(h('div', { className: 'error' }, err.message));
      start.disabled = false;
    }
  } }, `Gửi lại tất cả ${total} tin lỗi theo bộ lọc này`);
  box.append(h('p', { className: 'muted' }, 'Tin đã đến người nhận trong lúc chờ sẽ được bỏ qua; không tin nào bị gửi hai lần.'), start);
  return box;
}

function jobProgress(job) {
  const settled = job.done + job.failed + job.skipped;
  const pct = job.total ? Math.round((settled / job.total) * 100) : 100;
  const fill = h('span', {});
  fill.style.width = `${pct}%`;
  return h('div', { className: 'job', 'data-job-id': job.id, 'data-state': job.state },
    h('div', { className: 'progress', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': String(job.total), 'aria-valuenow': String(settled) }, fill),
    h('div', {}, `${JOB_STATE[job.state] || job.state}: ${settled}/${job.total} (${pct}%) — đã gửi lại ${job.done}, bỏ qua ${job.skipped}, lỗi ${job.failed}`));
}

function watchJob(box, id) {
  const area = h('div', {});
  const cancel = h('button', { type: 'button', onclick: async () => {
    cancel.disabled = true;
    try {
      await api(`/v1/resend-jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST' });
    } catch (err) {
      area.append(h('div', { className: 'error' }, err.message));
    }
  } }, 'Dừng');
  box.replaceChildren(h('h2', {}, 'Đang gửi lại hàng loạt'), area, cancel);
  const tick = async () => {
    try {
      const job = await api(`/v1/resend-jobs/${encodeURIComponent(id)}`);
      area.replaceChildren(jobProgress(job));
      if (job.state === 'running') later(tick, 500);
      else cancel.remove();
    } catch (err) {
      if (err.status === 401) return;
      // The job goes on in the operator whatever happens here: say so, and ask again.
      area.replaceChildren(errorBox(`Chưa đọc được tiến độ: ${err.message} Lượt gửi lại vẫn chạy; đang hỏi lại…`));
      later(tick, 2000);
    }
  };
  tick();
}

async function jobsPage() {
  const data = await api('/v1/resend-jobs');
  view(h('h1', {}, 'Gửi lại hàng loạt'),
    h('p', { className: 'muted' }, 'Bắt đầu từ trang "Tin gửi lỗi": lọc, rồi bấm "Gửi lại tất cả".'),
    data.items.length === 0 ? h('p', {}, 'Chưa có lượt gửi lại hàng loạt nào.') :
      data.items.map((job) => h('div', { className: 'card' }, h('div', {}, h('strong', {}, job.id), ' — ', job.createdBy, ', ', fmtTime(job.createdAt)),
        h('div', { className: 'muted' }, `Bộ lọc: ${JSON.stringify(job.filter)}`), jobProgress(job))));
  if (data.items.some((j) => j.state === 'running')) later(route, 1000);
}

// ---------- event report ----------
function eventAsk() {
  const input = h('input', { name: 'eventId', required: true, 'aria-label': 'Mã sự kiện', size: 40 });
  view(h('h1', {}, 'Báo cáo sự kiện'), h('form', { className: 'filters', onsubmit: (e) => {
    e.preventDefault();
    location.hash = `#/su-kien/${encodeURIComponent(input.value.trim())}`;
  } }, h('label', {}, 'Mã sự kiện (cuộc họp hoặc văn bản)', input), h('button', { type: 'submit', className: 'primary' }, 'Xem')));
}

async function eventPage(id, source) {
  let r;
  try {
    r = await api(`/v1/events/${encodeURIComponent(id)}/report${source ? `?source=${encodeURIComponent(source)}` : ''}`);
  } catch (err) {
    // Event ids are each sending system's own: two systems may have used this one.
    if (!(err.problem && Array.isArray(err.problem.sources))) throw err;
    return view(h('h1', {}, `Báo cáo sự kiện ${id}`), h('p', {}, 'Nhiều hệ thống gửi đã dùng mã sự kiện này. Chọn hệ thống:'),
      h('ul', {}, err.problem.sources.map((s) => h('li', {}, link(`#/su-kien/${encodeURIComponent(id)}?source=${encodeURIComponent(s)}`, s)))));
  }
  const channels = ['sms', 'email', 'push', 'inapp'];
  view(h('h1', {}, `Báo cáo sự kiện ${r.eventId}${r.source ? ` (${r.source})` : ''}`),
    h('div', { className: 'grid' }, h('section', { className: 'card' }, h('h2', {}, `${r.total} tin, ${r.recipients.length} người nhận`), bars(r.counts, STATUS, statusClass)),
      r.unreached ? h('section', { className: 'card' }, h('h2', {}, `Chưa liên lạc được (${r.unreached.length})`),
        r.unreached.length === 0 ? h('p', { className: 'notice' }, 'Mọi đại biểu đã nhận được ít nhất một kênh.') : h('ul', {}, r.unreached.map((p) => h('li', {}, p.name || p.id)))) : ''),
    h('table', { id: 'report' }, h('thead', {}, h('tr', {}, h('th', {}, 'Người nhận'), channels.map((c) => h('th', {}, CHANNEL[c])))),
      h('tbody', {}, r.recipients.map(reportRow))));
}

function reportRow(p) {
  const cellFor = (c) => h('td', {}, p.channels.filter((x) => x.channel === c).map((x) =>
    h('div', {}, badge(x.status), ' ', notifLink(x.messageId, 'chi tiết'), x.resendOf ? h('span', { className: 'muted' }, ' (gửi lại)') : '')));
  return h('tr', {}, h('td', {}, p.name || p.id, h('div', { className: 'muted' }, [p.phone, p.email].filter(Boolean).join(' · '))), ['sms', 'email', 'push', 'inapp'].map(cellFor));
}

// ---------- notification detail ----------
async function detailPage(id) {
  const n = await api(`/v1/notifications/${encodeURIComponent(id)}`);
  const items = n.attemptHistory.map((a) => h('li', {},
    h('div', {}, h('strong', {}, `Lần ${a.attempt}`), ' — ', fmtTime(a.at), ' ', badge(a.outcome), a.provider ? ` qua ${a.provider}` : ''),
    a.answer ? h('div', { className: 'muted' }, `Nhà cung cấp trả lời: ${a.answer}`) : '',
    a.errorClass ? h('div', { className: 'muted' }, `Loại lỗi: ${a.errorClass === 'permanent' ? 'không thể thử lại' : 'tạm thời'}${a.code ? ` (mã ${a.code})` : ''}`) : '',
    a.nextAttemptAt ? h('div', { className: 'muted' }, `Thử lại lúc ${fmtTime(a.nextAttemptAt)}`) : ''));
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
      n.resends.length ? h('div', {}, 'Các lần gửi lại: ', n.resends.map((r) => h('span', {}, notifLink(r.messageId), ' ', badge(r.status), ' '))) : '',
      n.resentAs && !n.resendable ? h('div', { className: 'notice', id: 'resent-as' }, 'Đã gửi lại: ', notifLink(n.resentAs.messageId, n.resentAs.status ? (STATUS[n.resentAs.status] || n.resentAs.status) : 'đang gửi')) : '',
      canResend ? h('div', { className: 'actions' }, correctionForm(n, msg)) : '', msg),
    h('section', { className: 'card' }, h('h2', {}, 'Các lần gửi'), items.length ? h('ol', { className: 'timeline' }, items) : h('p', { className: 'muted' }, 'Chưa có lần gửi nào.')),
    h('section', { className: 'card' }, h('h2', {}, 'Toàn bộ lịch sử trạng thái'),
      h('table', {}, h('tbody', {}, n.history.map((s) => h('tr', {}, h('td', {}, fmtTime(s.at)), h('td', {}, badge(s.status)), h('td', {}, s.attempt ? `lần ${s.attempt}` : ''), h('td', {}, s.provider || ''), h('td', {}, s.reason || (s.error && s.error.message) || '')))))));
  if (['rendered', 'queued', 'sending', 'retrying'].includes(n.status)) later(route, 1000);
}

// ---------- audit ----------
async function auditPage(params) {
  const page = Number(params.page || 1);
  const data = await api(`/v1/audit?${new URLSearchParams(Object.assign({}, params, { page: String(page), pageSize: '50' }))}`);
  view(h('h1', {}, 'Nhật ký thao tác'),
    h('table', {}, h('thead', {}, h('tr', {}, ['Lúc', 'Ai', 'Việc', 'Kết quả', 'Chi tiết'].map((t) => h('th', {}, t)))),
      h('tbody', {}, data.items.map((e) => h('tr', {}, h('td', {}, fmtTime(e.at)), h('td', {}, e.actor), h('td', {}, e.action), h('td', {}, e.outcome === 'denied' ? `Bị từ chối (${e.status})` : e.outcome === 'ok' ? 'Thành công' : `Không thực hiện (${e.status})`),
        h('td', {}, h('pre', {}, JSON.stringify({ messageIds: e.messageIds, jobId: e.jobId, filter: e.filter, details: e.details }, null, 1))))))),
    h('div', { className: 'pager' }, `${data.total} mục`,
      h('button', { type: 'button', disabled: page <= 1, onclick: () => go(routeBase(), Object.assign({}, params, { page: String(page - 1) })) }, '‹ Trước'),
      h('button', { type: 'button', disabled: page * 50 >= data.total, onclick: () => go(routeBase(), Object.assign({}, params, { page: String(page + 1) })) }, 'Sau ›')));
}

// ---------- development outbox ----------
async function outboxPage() {
  const [emails, sms] = await Promise.all([api('/v1/dev-outbox/emails'), api('/v1/dev-outbox/sms')]);
  const mailView = h('div', {});
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

// ---------- routing ----------
async function route() {
  timers.forEach(clearTimeout);
  timers = [];
  const [path, query] = location.hash.replace(/^#/, '').split('?');
  const params = Object.fromEntries(new URLSearchParams(query || ''));
  if (!sessionStorage.getItem(KEY) || path === '/dang-nhap') return loginPage();
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', (path || '/') === a.getAttribute('href').slice(1));
  try {
    if (!me) await loadMe();
    const parts = (path || '/').split('/').filter(Boolean).map(decodeURIComponent);
    switch (parts[0]) {
      case undefined: return await overviewPage();
      case 'that-bai': return await listPage(params, { title: 'Tin gửi lỗi', defaults: { status: FAILED_STATES } });
      case 'tra-cuu': return await listPage(params, { title: 'Tra cứu thông báo', defaults: {} });
      case 'su-kien': return parts[1] ? await eventPage(parts[1], params.source) : eventAsk();
      case 'thong-bao': return await detailPage(parts[1]);
      case 'gui-lai-hang-loat': return await jobsPage();
      case 'nhat-ky': return await auditPage(params);
      case 'hop-thu-thu-nghiem': return await outboxPage();
      default: return view(h('p', {}, 'Không có trang này.'));
    }
  } catch (err) {
    if (err.status !== 401) view(errorBox(err.message));
  }
}

document.getElementById('logout').addEventListener('click', () => {
  sessionStorage.removeItem(KEY);
  me = null;
  document.getElementById('nav').hidden = true;
  document.getElementById('logout').hidden = true;
  document.getElementById('who').textContent = '';
  location.hash = '#/dang-nhap';
});
window.addEventListener('hashchange', route);
route();
