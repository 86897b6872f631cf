import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type Attachment } from 'mailparser';
import { sync as ical, type VEvent } from 'node-ical';
import { allTopics, loadExample, withPrefix, type EmailMessage } from '@gateway/contracts';
import { createLogger } from '@gateway/common';
import { createKey } from '@gateway/intake/src/cli/keys';
import { loadIntakeSettings, startIntake, type RunningIntake } from '@gateway/intake';
import { loadRendererSettings, startRenderer, type RunningRenderer } from '@gateway/renderer';
import { loadEmailWorkerSettings, startEmailWorker, type RunningEmailWorker } from '@gateway/worker-email/src/main';
import { startSmtpServer, type TestSmtpServer } from '../../workers/email/test/smtp-test-server';
import { createTopics, kafkaBrokers, readAllMessages, redisUrl, uniqueName, waitFor } from '../../../tests/support/infra';
import { loadOperatorSettings } from '../src/config';
import { startOperator, type RunningOperator } from '../src/main';

jest.setTimeout(150_000);

const WRONG = 'nvan.cu@example.gov.vn';
const RIGHT = 'nguyen.van.an@example.gov.vn';

/** The mail's calendar parts (the text/calendar alternative and the invite.ics attachment), parsed. */
const parseEvents = (ics: string): VEvent[] => Object.values(ical.parseICS(ics)).filter((c): c is VEvent => c?.type === 'VEVENT');
function calendarEvents(attachments: Attachment[]): VEvent[] {
  return attachments.filter((a) => a.contentType === 'text/calendar' || a.contentType === 'application/ics').flatMap((a) => parseEvents(a.content.toString('utf8')));
}

const attendeeAddresses = (event: VEvent): string[] => {
  const list = event.attendee === undefined ? [] : Array.isArray(event.attendee) ? event.attendee : [event.attendee];
  return list.map((a) => (typeof a === 'string' ? a : a.val).toLowerCase());
};

describe('a meeting invitation resent with a corrected email (intake, renderer, email worker, operator, real SMTP)', () => {
  const prefix = uniqueName('op-mail');
  const topics = withPrefix(prefix);
  const dir = mkdtempSync(join(tmpdir(), 'gateway-resend-email-'));
  const keysFile = join(dir, 'keys.json');
  const key = createKey(keysFile, 'quan-tri', ['admin']);
  let smtp: TestSmtpServer;
  let intake: RunningIntake;
  let renderer: RunningRenderer;
  let operator: RunningOperator;
  let worker: RunningEmailWorker;

  beforeAll(async () => {
    await createTopics(kafkaBrokers(), allTopics(topics), 3);
    smtp = await startSmtpServer();
    const common = { KAFKA_BROKERS: kafkaBrokers().join(','), REDIS_URL: redisUrl(), REDIS_KEY_PREFIX: `${prefix}:`, GATEWAY_KEYS_FILE: keysFile, TOPIC_PREFIX: prefix, KAFKA_CREATE_TOPICS: 'false', LOG_LEVEL: 'silent' };
    const logger = (name: string) => ({ logger: createLogger({ name, level: 'silent' }) });
    renderer = await startRenderer(loadRendererSettings({ ...common, RENDERER_PORT: '0', RENDERER_GROUP_ID: `${prefix}-renderer` }), logger('renderer'));
    operator = await startOperator(loadOperatorSettings({ ...common, OPERATOR_PORT: '0', STATUS_GROUP_ID: `${prefix}-status` }), logger('operator'));
    worker = await startEmailWorker(loadEmailWorkerSettings({ ...common, EMAIL_WORKER_GROUP_ID: `${prefix}-email`, EMAIL_HTTP_PORT: '0', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), EMAIL_FROM: 'Văn phòng Thành ủy <thongbao@example.gov.vn>' }), logger('worker-email'));
    intake = await startIntake(loadIntakeSettings({ ...common, INTAKE_PORT: '0' }), logger('intake'));
  });

  afterAll(async () => {
    await Promise.allSettled([intake?.stop(), renderer?.stop(), operator?.stop(), worker?.stop()]);
    await smtp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when the relay refused the old address and the operator resends to the corrected one, then the mail that reaches the relay names only the corrected address: envelope, To, and the ATTENDEE of both calendar parts', async () => {
    smtp.answerRcpt({ code: 550, text: '5.1.1 mailbox unavailable' });
    const eventId = `${prefix}-evt`;
    const example = loadExample('meeting-scheduled-hoi-nghi-bch') as { data: Record<string, unknown> };
    const event = { ...example, id: eventId, data: { ...example.data, meetingId: `${eventId}-hop`, participants: [{ id: 'nguyen-van-an', name: 'Nguyễn Văn An', email: WRONG }] } };
    const posted = await fetch(`${intake.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(event) });
    expect(posted.status).toBe(202);
    const auth = { authorization: `Bearer ${key}` };
    const failedId = await waitFor(async () => {
      const body = (await (await fetch(`${operator.url}/v1/notifications?eventId=${eventId}&channel=email&status=failed`, { headers: auth })).json()) as { items: Array<{ messageId: string }> };
      return body.items[0]?.messageId ?? '';
    }, { timeoutMs: 60_000, message: 'the refused invitation recorded as failed' });
    // The rendered invitation names the old address in its calendar part.
    const [rendered] = (await readAllMessages(kafkaBrokers(), topics.email, { expected: 1 })).map((m) => JSON.parse(m.value) as EmailMessage);
    const original = parseEvents(rendered?.calendar?.ics ?? '')[0];
    expect(original && attendeeAddresses(original)).toEqual([`mailto:${WRONG}`]);

    const resend = await fetch(`${operator.url}/v1/notifications/${failedId}/resend`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ email: RIGHT, requestId: 'fix-email' }) });
    expect(resend.status).toBe(202);
    await waitFor(() => smtp.accepted.length > 0, { timeoutMs: 60_000, message: 'the corrected invitation accepted by the relay' });
    const [received] = smtp.accepted;
    expect(received?.to).toEqual([RIGHT]);
    const mail = await simpleParser(received?.raw ?? Buffer.alloc(0));
    const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
    expect(to?.value).toEqual([{ name: 'Nguyễn Văn An', address: RIGHT }]);
    const events = calendarEvents(mail.attachments);
    expect(events).toHaveLength(2);
    for (const e of events) expect(attendeeAddresses(e)).toEqual([`mailto:${RIGHT}`]);
    // The same meeting: a calendar client files the corrected invitation under the same UID.
    expect(events[0]?.uid).toBe(original?.uid);
    expect(events[0]?.summary).toBe(original?.summary);
    // The old address is nowhere in what the person receives.
    const decoded = [mail.subject ?? '', mail.text ?? '', typeof mail.html === 'string' ? mail.html : '', ...mail.attachments.map((a) => a.content.toString('utf8')), ...[...mail.headers.values()].map((v) => JSON.stringify(v))].join('\n');
    expect(decoded).not.toContain(WRONG);
    expect(decoded).toContain(RIGHT);
  });
});
