// @ts-check
/* global document, window, location, URLSearchParams */
// Operator console: no framework, no build (docs/adr/0012-console-without-build.md). This module
// only routes; the pages are in pages/, the API calls in api.js, the element helpers in dom.js.
import { isSignedOut, messageOf, session } from './api.js';
import { byId, cancelLater, errorBox, h, view } from './dom.js';
import { FAILED_STATES } from './labels.js';
import { auditPage } from './pages/audit.js';
import { detailPage } from './pages/detail.js';
import { eventAsk, eventPage } from './pages/event.js';
import { jobsPage } from './pages/jobs.js';
import { listPage } from './pages/list.js';
import { loginPage } from './pages/login.js';
import { outboxPage } from './pages/outbox.js';
import { overviewPage } from './pages/overview.js';
import { setRenderer } from './router.js';
import { currentUser, forgetUser, loadMe } from './user.js';

async function route() {
  cancelLater();
  const [path, query] = location.hash.replace(/^#/, '').split('?');
  const params = Object.fromEntries(new URLSearchParams(query || ''));
  if (!session.has() || path === '/dang-nhap') return loginPage();
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', (path || '/') === (a.getAttribute('href') || '').slice(1));
  try {
    if (!currentUser()) await loadMe();
    const parts = (path || '/').split('/').filter(Boolean).map(decodeURIComponent);
    switch (parts[0]) {
      case undefined: return await overviewPage();
      case 'that-bai': return await listPage(params, { title: 'Tin gửi lỗi', defaults: { status: FAILED_STATES } });
      case 'tra-cuu': return await listPage(params, { title: 'Tra cứu thông báo', defaults: {} });
      case 'su-kien': return parts[1] ? await eventPage(parts[1], params.source) : eventAsk();
      case 'thong-bao': return parts[1] ? await detailPage(parts[1]) : view(h('p', {}, 'Không có trang này.'));
      case 'gui-lai-hang-loat': return await jobsPage();
      case 'nhat-ky': return await auditPage(params);
      case 'hop-thu-thu-nghiem': return await outboxPage();
      default: return view(h('p', {}, 'Không có trang này.'));
    }
  } catch (err) {
    if (!isSignedOut(err)) view(errorBox(messageOf(err)));
  }
}

setRenderer(route);
byId('logout').addEventListener('click', () => {
  session.clear();
  forgetUser();
  location.hash = '#/dang-nhap';
});
window.addEventListener('hashchange', route);
route();
