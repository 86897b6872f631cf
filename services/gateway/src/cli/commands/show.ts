import type { DeliveryStatus } from '@gateway/contracts';
import { callService, expectStatus } from '../http';
import { KEY_OPTION, parseCommandArgs, type Command } from '../command';
import { EXIT, UsageError } from '../errors';
import { resolveKey, urlFlag } from '../settings';
import { formatTable } from '../table';
import { formatVnTime } from '../time';

const USAGE = `Xem thông báo / show one notification: its state and every attempt (GET /v1/notifications/:id)

  npm run gateway -- show <notificationId>

Options:
  --operator-url <url>   the operator API (default: $GATEWAY_OPERATOR_URL, else http://127.0.0.1:8082)
  --key <key>            a key with scope notifications:read (default: $GATEWAY_KEY, else the npm start dev key)
  --json                 print the answer as JSON

Times are shown in Vietnam time (UTC+7).`;

/** The fields of the operator's notification view this command shows. */
interface NotificationView {
  messageId: string;
  eventId: string;
  channel: string;
  status: string;
  attempts?: number;
  provider?: string;
  providerMessageId?: string;
  lastError?: { class?: string; code?: string; message?: string };
  reason?: string;
  nextAttemptAt?: string;
  history: DeliveryStatus[];
}

function detail(s: DeliveryStatus): string {
  if (s.error) return `${s.error.class}${s.error.code ? ` ${s.error.code}` : ''}: ${s.error.message}`;
  if (s.reason) return s.reason;
  if (s.nextAttemptAt) return `next attempt ${formatVnTime(s.nextAttemptAt)}`;
  if (s.providerMessageId) return `provider id ${s.providerMessageId}`;
  if (s.resendOf) return `resend of ${s.resendOf}`;
  return '';
}

function formatNotification(view: NotificationView): string[] {
  const field = (label: string, value: string) => `  ${`${label}:`.padEnd(24)}${value}`;
  const lines = [
    `Thông báo / notification ${view.messageId}`,
    field('sự kiện / event', view.eventId),
    field('kênh / channel', view.channel),
    field('trạng thái / status', `${view.status}${view.attempts ? ` after ${view.attempts} attempt(s)` : ''}${view.provider ? ` via ${view.provider}` : ''}${view.providerMessageId ? ` (${view.providerMessageId})` : ''}`),
  ];
  if (view.lastError) lines.push(field('lỗi cuối / last error', `${view.lastError.class ?? ''}${view.lastError.code ? ` ${view.lastError.code}` : ''}: ${view.lastError.message ?? ''}`));
  if (view.reason) lines.push(field('lý do / reason', view.reason));
  if (view.nextAttemptAt) lines.push(field('lần tới / next try', formatVnTime(view.nextAttemptAt)));
  lines.push('', `Lịch sử / history (${view.history.length}):`);
  const rows = view.history.map((s) => [formatVnTime(s.at), s.status, s.attempt ? String(s.attempt) : '', s.provider ?? '', detail(s)]);
  for (const line of formatTable(['time (UTC+7)', 'status', 'attempt', 'provider', 'detail'], rows)) lines.push(`  ${line}`);
  return lines;
}

export const showCommand: Command = {
  name: 'show',
  summary: 'show a notification: status and attempt history',
  usage: USAGE,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(args, { ...KEY_OPTION, 'operator-url': { type: 'string' }, json: { type: 'boolean' } });
    const [id, ...extra] = positionals;
    if (!id || extra.length) throw new UsageError('show takes one notification id: show <notificationId>');
    const baseUrl = urlFlag('operator-url', values['operator-url'], ctx.settings.operatorUrl);
    const answer = await callService({ name: 'operator API', baseUrl, setting: 'GATEWAY_OPERATOR_URL' }, { method: 'GET', path: `/v1/notifications/${encodeURIComponent(id)}`, key: resolveKey(values.key, ctx.settings) });
    expectStatus(answer, [200]);
    const view = answer.body as NotificationView;
    if (values.json) ctx.out(JSON.stringify(view, null, 2));
    else for (const line of formatNotification(view)) ctx.out(line);
    return EXIT.ok;
  },
};
