/**
 * Two sending systems, one event id (docs/adr/0003-event-identity.md): intake → renderer → the
 * SMS and email workers → loopback eSMS and a real SMTP server, and the operator, all on the
 * shared Kafka and Redis.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { sync as ical, type VEvent } from 'node-ical';
import { allTopics, loadExample } from '@gateway/contracts';
import { createKey, createLogger } from '@gateway/common';
import { loadIntakeSettings, startIntake, type RunningIntake } from '@gateway/intake';
import { loadRendererSettings, startRenderer, type RunningRenderer } from '@gateway/renderer';
import { loadOperatorSettings, startOperator, type RunningOperator } from '@gateway/operator';
import { loadEmailWorkerSettings, startEmailWorker, type RunningEmailWorker } from '@gateway/worker-email';
import { startSmtpServer, type TestSmtpServer } from '@gateway/worker-email/test/smtp-test-server';
import { startLoopbackEsms, type LoopbackEsms } from '@gateway/worker-sms/test/support/loopback-providers';
import { ESMS_CREDENTIALS, esmsEnv, smsTestBed, type SmsTestBed } from '@gateway/worker-sms/test/support/harness';
import { createTopics, kafkaBrokers, redisUrl, waitFor } from '@gateway/tests/support/infra';

jest.setTimeout(150_000);

const CALENDAR_DOMAIN = 'lichhop.example.gov.vn';
const PEOPLE = [
  { id: 'nguyen-van-an', name: 'Nguyễn Văn An', phone: '+84905000001', email: 'nvan@example.gov.vn' },
  { id: 'le-thi-dung', name: 'Lê Thị Dung', phone: '+84905000002', email: 'ltdung@example.gov.vn' },
];

describe('two sending systems post an event with the same id and the same meeting id (real Kafka, Redis, SMTP, loopback eSMS)', () => {
  let sms: SmsTestBed;
  let esms: LoopbackEsms;
  let smtp: TestSmtpServer;
  let intake: RunningIntake;
  let renderer: RunningRenderer;
  let operator: RunningOperator;
  let email: RunningEmailWorker;
  const dir = mkdtempSync(join(tmpdir(), 'gateway-two-senders-'));
  const keysFile = join(dir, 'keys.json');
  const keys = {
    a: createKey(keysFile, 'he-thong-a', ['events:write'], { sources: ['lichhop-a'] }),
    b: createKey(keysFile, 'he-thong-b', ['events:write'], { sources: ['lichhop-b'] }),
    admin: createKey(keysFile, 'quan-tri', ['admin']),
  };

  beforeAll(async () => {
    // The SMS test bed names the topics, group and Redis prefix; every other service shares them.
    sms = await smsTestBed('two-senders');
    const { prefix, topics } = sms;
    await createTopics(kafkaBrokers(), allTopics(topics), 3);
    esms = await startLoopbackEsms(ESMS_CREDENTIALS);
    smtp = await startSmtpServer();
    const common = { KAFKA_BROKERS: kafkaBrokers().join(','), REDIS_URL: redisUrl(), REDIS_KEY_PREFIX: `${prefix}:`, GATEWAY_KEYS_FILE: keysFile, TOPIC_PREFIX: prefix, KAFKA_CREATE_TOPICS: 'false', LOG_LEVEL: 'silent' };
    const logger = (name: string) => ({ logger: createLogger({ name, level: 'silent' }) });
    renderer = await startRenderer(loadRendererSettings({ ...common, RENDERER_PORT: '0', RENDERER_GROUP_ID: `${prefix}-renderer`, CALENDAR_DOMAIN }), logger('renderer'));
    operator = await startOperator(loadOperatorSettings({ ...common, OPERATOR_PORT: '0', STATUS_GROUP_ID: `${prefix}-status` }), logger('operator'));
    email = await startEmailWorker(loadEmailWorkerSettings({ ...common, EMAIL_WORKER_GROUP_ID: `${prefix}-email`, EMAIL_HTTP_PORT: '0', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), EMAIL_FROM: 'Văn phòng Thành ủy <thongbao@example.gov.vn>' }), logger('worker-email'));
    await sms.start({ SMS_PROVIDERS: 'esms', ...esmsEnv(esms.url), GATEWAY_KEYS_FILE: keysFile });
    intake = await startIntake(loadIntakeSettings({ ...common, INTAKE_PORT: '0' }), logger('intake'));
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled([intake?.stop(), renderer?.stop(), operator?.stop(), email?.stop(), sms?.stopAll()]);
    await Promise.allSettled([smtp?.close(), esms?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (key: string, body: unknown) =>
    fetch(`${intake.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const report = async (eventId: string, query = '') => {
    const res = await fetch(`${operator.url}/v1/events/${eventId}/report${query}`, { headers: { authorization: `Bearer ${keys.admin}` } });
    return { status: res.status, json: (await res.json()) as { source?: string; sources?: string[]; total?: number; counts?: Record<string, number>; recipients?: Array<{ id: string; reached: boolean }> } };
  };

  it('when both post it, then both are delivered to everyone on every channel, each invitation under its own calendar UID (the first sender keeps the plain one), and the operator reports each sender apart', async () => {
    const eventId = `${sms.prefix}-H-2025-001`;
    const meetingId = 'H-2025-001';
    const example = loadExample('meeting-scheduled-hoi-nghi-bch') as { data: Record<string, unknown> };
    const eventOf = (source: string) => ({ ...example, id: eventId, source, data: { ...example.data, meetingId, participants: PEOPLE } });

    expect((await post(keys.a, eventOf('lichhop-a'))).status).toBe(202);
    // A's messages are all sent before B posts: the case where B's ids used to be "already settled".
    await waitFor(async () => (await report(eventId)).json.counts?.sent === PEOPLE.length * 2, { timeoutMs: 45_000, message: "A's messages sent" });
    const b = await post(keys.b, eventOf('lichhop-b'));
    expect(b.status).toBe(202);
    expect(b.headers.get('idempotent-replayed')).toBeNull();

    // Every person gets two SMS and two emails: one from each sender. None is sent twice.
    await waitFor(() => esms.accepted.length === PEOPLE.length * 2, { timeoutMs: 60_000, message: `SMS accepted by eSMS: ${esms.accepted.length}` });
    await waitFor(() => smtp.accepted.length === PEOPLE.length * 2, { timeoutMs: 60_000, message: `emails accepted by the relay: ${smtp.accepted.length}` });
    expect(esms.duplicates()).toEqual([]);
    const perPhone = new Map<string, number>();
    for (const m of esms.accepted) perPhone.set(m.to, (perPhone.get(m.to) ?? 0) + 1);
    expect([...perPhone.values()]).toEqual([2, 2]);
    expect(new Set(esms.accepted.map((m) => m.messageId)).size).toBe(PEOPLE.length * 2);

    const mails = await Promise.all(smtp.accepted.map((m) => simpleParser(m.raw)));
    const uidsByAddress = new Map<string, string[]>();
    for (const [i, mail] of mails.entries()) {
      const ics = mail.attachments.find((a) => a.contentType === 'text/calendar')?.content.toString('utf8') ?? '';
      const events = Object.values(ical.parseICS(ics)).filter((c): c is VEvent => c?.type === 'VEVENT');
      expect(events).toHaveLength(1);
      expect(Number(events[0]?.sequence)).toBe(0);
      const to = smtp.accepted[i]?.to[0] ?? '';
      uidsByAddress.set(to, [...(uidsByAddress.get(to) ?? []), events[0]?.uid ?? '']);
    }
    for (const person of PEOPLE) {
      expect(uidsByAddress.get(person.email)?.sort()).toEqual([`meeting-${meetingId}@${CALENDAR_DOMAIN}`, `meeting-lichhop-b/${meetingId}@${CALENDAR_DOMAIN}`].sort());
    }

    // The operator keeps the two senders' events apart: asked without a source, it names both.
    await waitFor(async () => (await report(eventId, '?source=lichhop-b')).json.counts?.sent === PEOPLE.length * 2, { timeoutMs: 45_000, message: "the operator shows B's messages sent" });
    for (const source of ['lichhop-a', 'lichhop-b']) {
      const r = await report(eventId, `?source=${source}`);
      expect(r.status).toBe(200);
      // SMS and email sent; push and in-app skipped (nobody here has an app account).
      expect(r.json).toMatchObject({ source, total: PEOPLE.length * 4, counts: { sent: PEOPLE.length * 2, skipped: PEOPLE.length * 2 } });
      expect(r.json.recipients?.map((p) => [p.id, p.reached]).sort()).toEqual(PEOPLE.map((p) => [p.id, true]).sort());
    }
    const ambiguous = await report(eventId);
    expect(ambiguous.status).toBe(409);
    expect(ambiguous.json.sources).toEqual(['lichhop-a', 'lichhop-b']);
  });

  it('when a system posts an event of a source its key does not own, then it is refused with 403 naming the source', async () => {
    const example = loadExample('meeting-scheduled-hoi-nghi-bch') as { data: Record<string, unknown> };
    const res = await post(keys.b, { ...example, id: `${sms.prefix}-gia-mao`, source: 'lichhop-a', data: { ...example.data, meetingId: 'H-2025-002', participants: PEOPLE } });
    expect(res.status).toBe(403);
    const problem = (await res.json()) as { errors?: Array<{ path: string }>; detail?: string };
    expect(problem.errors?.[0]?.path).toBe('source');
    expect(problem.detail).toContain('lichhop-a');
  });
});
