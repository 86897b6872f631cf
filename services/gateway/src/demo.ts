/**
 * `npm run demo`: starts the gateway (embedded unless KAFKA_BROKERS / REDIS_URL are set), loads
 * the sample directory of a city Party committee, sends a conference invitation to everyone, a
 * change of time, a hỏa tốc document, a mật document and one message that fails, waits for every
 * message with a progress bar, prints a delivery report and leaves the gateway running so the
 * failure can be looked at and resent in the console (`--exit` stops after the report).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import cliProgress from 'cli-progress';
import { CHANNELS, FINAL_DELIVERY_STATES, type Channel, type DeliveryStatus, type SmsMessage, type Topics } from '@gateway/contracts';
import { eachRecord, type Bus, type BusConsumer } from '@gateway/bus';
import { exitOnFailure } from '@gateway/common';
import { startDevGateway, type DevGateway } from './dev';
import { firstServiceFailure } from './main';
import { callService, expectStatus } from './cli/http';

const ROOT = resolve(__dirname, '../../..');

export const FAILING_PERSON = { id: 'demo-so-dien-thoai-sai', name: 'Phạm Văn Sai', title: 'Chuyên viên (số điện thoại nhập sai)', unit: 'Văn phòng Thành ủy', phone: '+84900000000', channels: ['sms'] };

interface ChannelReport {
  messages: number;
  sent: number;
  failed: number;
  skipped: number;
  other: number;
}

export interface DemoReport {
  events: string[];
  channels: Record<Channel, ChannelReport>;
  sms: { messages: number; segments: number; segmentsWithDiacritics: number; withoutDiacritics: number };
  failures: Array<{ messageId: string; channel: Channel; reason: string }>;
  ms: number;
}

function example(name: string): Record<string, unknown> & { data: Record<string, unknown> } {
  return JSON.parse(readFileSync(join(ROOT, 'contracts', 'examples', `${name}.json`), 'utf8')) as Record<string, unknown> & { data: Record<string, unknown> };
}

/** UCS-2 segments of a text of this many UTF-16 units (what the text costs with its diacritics). */
function ucs2Segments(units: number): number {
  return units <= 70 ? 1 : Math.ceil(units / 67);
}

/** The demo's events: every group of the sample directory invited, then the changes and documents. */
function demoEvents(runId: string, directory: { groups: Array<{ id: string }> }): Array<Record<string, unknown>> {
  const everyone = [...directory.groups.map((g) => `group:${g.id}`), FAILING_PERSON];
  const meetingId = `demo-hoi-nghi-${runId}`;
  const scheduled = example('meeting-scheduled-hoi-nghi-bch');
  const updated = example('meeting-updated-chuyen-chieu');
  const hoaToc = example('document-dispatched-hoa-toc');
  const mat = example('document-dispatched-mat');
  return [
    { ...scheduled, id: `demo-${runId}-giay-moi`, data: { ...scheduled.data, meetingId, participants: everyone } },
    { ...updated, id: `demo-${runId}-doi-gio`, data: { ...updated.data, meetingId, participants: everyone.filter((p) => p !== FAILING_PERSON) } },
    { ...hoaToc, id: `demo-${runId}-hoa-toc`, data: { ...hoaToc.data, documentId: `demo-${runId}-vb-hoa-toc` } },
    { ...mat, id: `demo-${runId}-mat`, data: { ...mat.data, documentId: `demo-${runId}-vb-mat` } },
  ];
}

/** A POST to one of the demo gateway's services, through the admin CLI's client (its errors name the service and the problem). */
async function post(name: string, baseUrl: string, path: string, key: string, body: string): Promise<void> {
  const answer = await callService({ name, baseUrl, setting: 'the demo' }, { method: 'POST', path, key, body, contentType: 'application/json' });
  expectStatus(answer, [200, 201, 202]);
}

/** Follows the channel topics (what was rendered) and the status topic (what became of it). */
async function watch(bus: Bus, topics: Topics, eventIds: Set<string>) {
  const messages = new Map<string, { channel: Channel; eventId: string; sms?: SmsMessage }>();
  const finals = new Map<string, DeliveryStatus>();
  const consumers: BusConsumer[] = [];
  const follow = async (topicNames: string[], each: (value: string) => void) => {
    const consumer = bus.consumer({ groupId: `demo-report-${randomBytes(4).toString('hex')}`, maxWaitMs: 200 });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: topicNames, fromBeginning: true });
    await consumer.run({ eachBatch: eachRecord(async (message) => each(message.value?.toString() ?? '{}')) });
  };
  await follow(
    CHANNELS.map((c) => topics[c]),
    (value) => {
      const m = JSON.parse(value) as { id: string; eventId: string; channel: Channel } & Partial<SmsMessage>;
      if (eventIds.has(m.eventId)) messages.set(m.id, { channel: m.channel, eventId: m.eventId, ...(m.channel === 'sms' ? { sms: m as SmsMessage } : {}) });
    },
  );
  await follow([topics.status], (value) => {
    const s = JSON.parse(value) as DeliveryStatus;
    if (!eventIds.has(s.eventId)) return;
    if (s.status === 'skipped') messages.set(s.messageId, { channel: s.channel, eventId: s.eventId });
    if (FINAL_DELIVERY_STATES.has(s.status) || s.status === 'sent') finals.set(s.messageId, s);
  });
  return { messages, finals, stop: () => Promise.all(consumers.map((c) => c.disconnect())) };
}

/** The worker that sends each channel's messages. */
const WORKER_OF: Record<Channel, 'sms' | 'email' | 'push'> = { sms: 'sms', email: 'email', push: 'push', inapp: 'push' };

/**
 * The demo's messages go to every channel: a channel whose worker does not run would leave them
 * waiting on their topic and the demo waiting for nothing. Said before anything is sent.
 */
export function missingWorkers(gateway: Pick<DevGateway, 'services'>): string[] {
  const running = new Set(gateway.services.map((s) => s.name));
  const missing = [...new Set(CHANNELS.map((c) => WORKER_OF[c]))].filter((w) => !running.has(w));
  return missing.map((w) => `${w} (${CHANNELS.filter((c) => WORKER_OF[c] === w).join(' and ')} messages)`);
}

export async function runDemo(gateway: DevGateway, options: { progress?: boolean; timeoutMs?: number; stallMs?: number } = {}): Promise<DemoReport> {
  const started = Date.now();
  const key = gateway.keys?.admin;
  if (!key) throw new Error('the demo needs the development keys (run it without GATEWAY_KEYS_FILE, or in embedded mode)');
  const missing = missingWorkers(gateway);
  if (missing.length) {
    throw new Error(
      `the demo sends to every channel, but these workers are not running: ${missing.join(', ')}. ` +
        'GATEWAY_SERVICES leaves them out; unset it (channels without a provider use the development sinks) and run the demo again.',
    );
  }
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const directory = readFileSync(join(ROOT, 'packages/directory/examples/sample-directory.json'), 'utf8');
  await post('directory', gateway.url('renderer'), '/v1/directory/import', key, directory);
  const events = demoEvents(runId, JSON.parse(directory) as { groups: Array<{ id: string }> });
  const eventIds = new Set(events.map((e) => String(e.id)));
  const watcher = await watch(gateway.bus, gateway.topics, eventIds);
  const [invitation, ...rest] = events;
  if (invitation) {
    await post('intake', gateway.url('intake'), '/v1/events', key, JSON.stringify(invitation));
    // The change of time comes once the invitation went out, as in a meeting's life: posted at
    // once, it would supersede the invitations still queued (they would never be sent).
    const settled = () => {
      const own = [...watcher.messages].filter(([, m]) => m.eventId === invitation.id);
      return own.length > 0 && own.every(([id]) => watcher.finals.has(id));
    };
    const until = Date.now() + (options.timeoutMs ?? 120_000);
    while (!settled() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  }
  for (const event of rest) await post('intake', gateway.url('intake'), '/v1/events', key, JSON.stringify(event));

  const bar = options.progress ? new cliProgress.SingleBar({ format: '  Đang gửi / sending  [{bar}] {value}/{total} tin', hideCursor: true }, cliProgress.Presets.shades_classic) : undefined;
  bar?.start(1, 0);
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let lastChange = Date.now();
  let lastDone = -1;
  for (;;) {
    const total = watcher.messages.size;
    const done = [...watcher.messages.keys()].filter((id) => watcher.finals.has(id)).length;
    bar?.setTotal(Math.max(total, 1));
    bar?.update(done);
    if (done !== lastDone) {
      lastDone = done;
      lastChange = Date.now();
    }
    // Every event rendered something, everything rendered is settled, and nothing new for a moment.
    if (total > 0 && done === total && Date.now() - lastChange > 1000) break;
    const stalled = total > done && Date.now() - lastChange > (options.stallMs ?? 30_000);
    if (Date.now() > deadline || stalled) {
      bar?.stop();
      await watcher.stop();
      const waiting = CHANNELS.map((c) => [c, [...watcher.messages].filter(([id, m]) => m.channel === c && !watcher.finals.has(id)).length] as const).filter(([, n]) => n > 0);
      const why = waiting.map(([c, n]) => `${n} ${c}`).join(', ');
      throw new Error(
        `the demo's messages did not all settle ${stalled ? `(nothing settled for ${(options.stallMs ?? 30_000) / 1000} s)` : `within ${(options.timeoutMs ?? 120_000) / 1000} s`} (${done}/${total}); still waiting: ${why}. ` +
          "Their worker is running but not sending: see its log (LOG_LEVEL=info) and the provider's settings.",
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  bar?.stop();
  await watcher.stop();

  const channels = Object.fromEntries(CHANNELS.map((c) => [c, { messages: 0, sent: 0, failed: 0, skipped: 0, other: 0 }])) as Record<Channel, ChannelReport>;
  const sms = { messages: 0, segments: 0, segmentsWithDiacritics: 0, withoutDiacritics: 0 };
  const failures: DemoReport['failures'] = [];
  for (const [id, m] of watcher.messages) {
    const status = watcher.finals.get(id)?.status;
    const row = channels[m.channel];
    row.messages += 1;
    if (status === 'sent' || status === 'delivered' || status === 'read') row.sent += 1;
    else if (status === 'failed' || status === 'dead') {
      row.failed += 1;
      failures.push({ messageId: id, channel: m.channel, reason: watcher.finals.get(id)?.reason ?? watcher.finals.get(id)?.error?.message ?? '' });
    } else if (status === 'skipped') row.skipped += 1;
    else row.other += 1;
    if (m.sms) {
      sms.messages += 1;
      sms.segments += m.sms.segments;
      if (m.sms.diacritics === 'strip') {
        sms.withoutDiacritics += 1;
        // Stripping maps each Vietnamese letter to one Latin letter: the same length, in UCS-2.
        sms.segmentsWithDiacritics += ucs2Segments(m.sms.text.length);
      } else sms.segmentsWithDiacritics += m.sms.segments;
    }
  }
  return { events: [...eventIds], channels, sms, failures, ms: Date.now() - started };
}

export function formatReport(report: DemoReport, consoleUrl: string): string {
  const names: Record<Channel, string> = { sms: 'SMS', email: 'Email', push: 'Web push', inapp: 'Hộp thư (in-app)' };
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  const lines = [
    '',
    `Báo cáo gửi tin / delivery report — ${report.events.length} sự kiện, ${(report.ms / 1000).toFixed(1)} s`,
    '',
    `  ${'Kênh'.padEnd(18)}${pad('Tin', 6)}${pad('Đã gửi', 9)}${pad('Lỗi', 6)}${pad('Bỏ qua', 9)}`,
    ...CHANNELS.map((c) => {
      const r = report.channels[c];
      return `  ${names[c].padEnd(18)}${pad(r.messages, 6)}${pad(r.sent, 9)}${pad(r.failed, 6)}${pad(r.skipped, 9)}`;
    }),
    '',
    `  SMS: ${report.sms.segments} segment(s) sent for ${report.sms.messages} SMS; with diacritics they would have been ${report.sms.segmentsWithDiacritics}` +
      ` (${report.sms.withoutDiacritics} sent "không dấu", saving ${report.sms.segmentsWithDiacritics - report.sms.segments}).`,
    '',
    ...(report.failures.length
      ? ['  Lỗi / failures:', ...report.failures.map((f) => `    - ${f.channel} ${f.messageId}: ${f.reason}`), '', `  Xem và gửi lại trong bảng điều khiển / look and resend in the console: ${consoleUrl}`]
      : ['  No failures.']),
    '',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const exit = process.argv.includes('--exit');
  const say = (line: string) => console.log(line);
  say('Demo: cổng thông báo họp và văn bản');
  let gateway: DevGateway;
  try {
    gateway = await startDevGateway(process.env, say);
  } catch (err) {
    const message = (err as Error).message;
    console.error(/EADDRINUSE/.test(message) ? `could not start: a port is in use (${message}). Is \`npm start\` already running? Stop it first: the demo starts its own gateway.` : `could not start: ${message}`);
    process.exit(1);
  }
  const shutdown = () => void gateway.stop().then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  exitOnFailure('gateway', firstServiceFailure(gateway.services), gateway.stop);
  say(`• Gateway running (${gateway.embedded ? 'embedded, in memory' : 'Kafka and Redis'}); loading the sample directory and sending 4 events…`);
  try {
    const report = await runDemo(gateway, { progress: true });
    say(formatReport(report, `${gateway.url('operator')}/console/`));
  } catch (err) {
    console.error(`demo failed: ${(err as Error).message}`);
    await gateway.stop();
    process.exit(1);
  }
  if (exit) {
    await gateway.stop();
    process.exit(0);
  }
  say(`The gateway keeps running. Console: ${gateway.url('operator')}/console/  admin key: ${gateway.keys?.admin ?? '(yours)'}\nCtrl-C to stop.`);
}

if (require.main === module) void main();
