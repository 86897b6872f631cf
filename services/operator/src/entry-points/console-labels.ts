import { CHANNELS, DELIVERY_STATES, FAILED_RECORD_STATES, URGENCIES, type Channel, type DeliveryState, type Urgency } from '@gateway/contracts';
import type { JobState } from '../data-access/resend-job-store';

/**
 * The console's Vietnamese names for the contracts' values. Typed by the contracts: a status or
 * channel added there does not compile until it has a label here, and the console gets these
 * through labels.js, built from this file when it is served (so there is no copy to drift).
 */
export const STATUS_LABELS: Readonly<Record<DeliveryState, string>> = {
  rendered: 'Đã soạn',
  skipped: 'Bỏ qua',
  queued: 'Chờ gửi',
  sending: 'Đang gửi',
  sent: 'Đã gửi',
  delivered: 'Đã đến máy',
  undelivered: 'Không đến được',
  read: 'Đã đọc',
  retrying: 'Đang thử lại',
  failed: 'Thất bại',
  dead: 'Hết lượt thử',
  superseded: 'Đã có tin mới hơn',
};

export const CHANNEL_LABELS: Readonly<Record<Channel, string>> = { sms: 'SMS', email: 'Email', push: 'Thông báo trình duyệt', inapp: 'Hộp thư ứng dụng' };

export const URGENCY_LABELS: Readonly<Record<Urgency, string>> = { thuong: 'Thường', khan: 'Khẩn', 'thuong-khan': 'Thượng khẩn', 'hoa-toc': 'Hỏa tốc' };

export const JOB_STATE_LABELS: Readonly<Record<JobState, string>> = { running: 'Đang chạy', done: 'Xong', cancelled: 'Đã hủy', failed: 'Lỗi' };

/** In the contracts' order, so the console's menus list them as the contracts do. */
function ordered<K extends string>(keys: readonly K[], labels: Readonly<Record<K, string>>): Record<string, string> {
  return Object.fromEntries(keys.map((k) => [k, labels[k]]));
}

/** The ES module the console imports as ./labels.js (its types: console/labels.d.ts). */
export function labelsModule(): string {
  const values: Record<string, unknown> = {
    STATUS: ordered(DELIVERY_STATES, STATUS_LABELS),
    CHANNEL: ordered(CHANNELS, CHANNEL_LABELS),
    URGENCY: ordered(URGENCIES, URGENCY_LABELS),
    JOB_STATE: JOB_STATE_LABELS,
    FAILED_STATES: FAILED_RECORD_STATES.join(','),
  };
  const lines = Object.entries(values).map(([name, value]) => `export const ${name} = Object.freeze(${JSON.stringify(value)});`);
  return `// Built by the operator from the contracts (src/entry-points/console-labels.ts).\n${lines.join('\n')}\n`;
}
