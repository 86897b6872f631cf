// @ts-check
import { api, isSignedOut, messageOf } from '../api.js';
import { errorBox, fmtTime, h, later, view } from '../dom.js';
import { JOB_STATE } from '../labels.js';
import { redraw } from '../router.js';

/**
 * The box under a failed list that starts a bulk resend of everything its filter finds.
 * @param {Record<string, string>} filter
 * @param {number} total
 */
export function bulkBox(filter, total) {
  const box = h('div', { className: 'card', id: 'bulk' });
  const start = h('button', { type: 'button', className: 'primary', onclick: async () => {
    start.disabled = true;
    try {
      const job = await api.startJob(filter);
      watchJob(box, job.id);
    } catch (err) {
      box.append(h('div', { className: 'error' }, messageOf(err)));
      start.disabled = false;
    }
  } }, `Gửi lại tất cả ${total} tin lỗi theo bộ lọc này`);
  box.append(h('p', { className: 'muted' }, 'Tin đã đến người nhận trong lúc chờ sẽ được bỏ qua; không tin nào bị gửi hai lần.'), start);
  return box;
}

/** @param {import('../types.js').ResendJob} job */
function jobProgress(job) {
  const settled = job.done + job.failed + job.skipped;
  const pct = job.total ? Math.round((settled / job.total) * 100) : 100;
  const fill = h('span', {});
  fill.style.width = `${pct}%`;
  return h('div', { className: 'job', 'data-job-id': job.id, 'data-state': job.state },
    h('div', { className: 'progress', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': String(job.total), 'aria-valuenow': String(settled) }, fill),
    h('div', {}, `${JOB_STATE[job.state] || job.state}: ${settled}/${job.total} (${pct}%) — đã gửi lại ${job.done}, bỏ qua ${job.skipped}, lỗi ${job.failed}`));
}

/**
 * @param {HTMLElement} box
 * @param {string} id
 */
function watchJob(box, id) {
  const area = h('div', {});
  const cancel = h('button', { type: 'button', onclick: async () => {
    cancel.disabled = true;
    try {
      await api.cancelJob(id);
    } catch (err) {
      area.append(h('div', { className: 'error' }, messageOf(err)));
    }
  } }, 'Dừng');
  box.replaceChildren(h('h2', {}, 'Đang gửi lại hàng loạt'), area, cancel);
  const tick = async () => {
    try {
      const job = await api.job(id);
      area.replaceChildren(jobProgress(job));
      if (job.state === 'running') later(tick, 500);
      else cancel.remove();
    } catch (err) {
      if (isSignedOut(err)) return;
      // The job goes on in the operator whatever happens here: say so, and ask again.
      area.replaceChildren(errorBox(`Chưa đọc được tiến độ: ${messageOf(err)} Lượt gửi lại vẫn chạy; đang hỏi lại…`));
      later(tick, 2000);
    }
  };
  tick();
}

export async function jobsPage() {
  const data = await api.jobs();
  view(h('h1', {}, 'Gửi lại hàng loạt'),
    h('p', { className: 'muted' }, 'Bắt đầu từ trang "Tin gửi lỗi": lọc, rồi bấm "Gửi lại tất cả".'),
    data.items.length === 0 ? h('p', {}, 'Chưa có lượt gửi lại hàng loạt nào.') :
      data.items.map((job) => h('div', { className: 'card' }, h('div', {}, h('strong', {}, job.id), ' — ', job.createdBy, ', ', fmtTime(job.createdAt)),
        h('div', { className: 'muted' }, `Bộ lọc: ${JSON.stringify(job.filter)}`), jobProgress(job))));
  if (data.items.some((j) => j.state === 'running')) later(redraw, 1000);
}
