/**
 * Superseded messages end to end: intake → renderer → SMS worker → a loopback eSMS that fails,
 * and the operator's reports; on the shared Kafka and Redis, and in the embedded mode (in-process
 * bus and stores from createEmbeddedInfra, the same eSMS loopback).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allTopics, loadExample } from '@gateway/contracts';
import { createKey } from '@gateway/common';
import { startLoopbackEsms, type Answer, type LoopbackEsms } from '@gateway/worker-sms/test/support/loopback-providers';
import { ESMS_CREDENTIALS, esmsEnv, smsTestBed } from '@gateway/worker-sms/test/support/harness';
import { createTopics, kafkaBrokers, uniqueName, waitFor } from '@gateway/tests/support/infra';
import { startServices, stopServices, type RunningService } from '../src/main';
import { createEmbeddedInfra } from '../src/embedded-infra';

jest.setTimeout(150_000);

interface Gateway {
  prefix: string;
  intake: string;
  operator: string;
  key: string;
  stop: () => Promise<void>;
}

const SERVICE_NAMES = ['intake', 'renderer', 'operator', 'sms'] as const;
// Quick retries, and enough of them that the provider's outage never uses them up.
const RETRIES = { SMS_RETRY_BASE_MS: '50', SMS_RETRY_CAP_MS: '500', SMS_RETRY_MAX_ATTEMPTS: '50', RETRY_MOVER_POLL_MS: '100', SMS_CIRCUIT_COOLDOWN_MS: '300', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' };
const PORTS = { INTAKE_PORT: '0', RENDERER_PORT: '0', OPERATOR_PORT: '0', SMS_HTTP_PORT: '0' };

function urlOf(services: RunningService[], name: string): string {
  const url = services.find((s) => s.name === name)?.url;
  if (!url) throw new Error(`${name} has no url`);
  return url;
}

async function onKafkaAndRedis(esms: LoopbackEsms, dir: string): Promise<Gateway> {
  // The SMS test bed names the topics, group and Redis prefix; every other service shares them.
  const sms = await smsTestBed('superseded');
  await createTopics(kafkaBrokers(), allTopics(sms.topics), 3);
  const keysFile = join(dir, `${sms.prefix}-keys.json`);
  const key = createKey(keysFile, 'quan-tri', ['admin']);
  const env = {
    ...sms.env({ SMS_PROVIDERS: 'esms', ...esmsEnv(esms.url), ...RETRIES }),
    ...PORTS,
    GATEWAY_KEYS_FILE: keysFile,
    RENDERER_GROUP_ID: `${sms.prefix}-renderer`,
    STATUS_GROUP_ID: `${sms.prefix}-status`,
  };
  const services = await startServices([...SERVICE_NAMES], env);
  return { prefix: sms.prefix, intake: urlOf(services, 'intake'), operator: urlOf(services, 'operator'), key, stop: () => stopServices(services) };
}

async function embedded(esms: LoopbackEsms, dir: string): Promise<Gateway> {
  const prefix = uniqueName('superseded-embedded');
  const keysFile = join(dir, `${prefix}-keys.json`);
  const key = createKey(keysFile, 'quan-tri', ['admin']);
  // The embedded mode's bus and stores: no Kafka or Redis is reached (they are named nowhere).
  const env = { SMS_PROVIDERS: 'esms', ...esmsEnv(esms.url), ...RETRIES, ...PORTS, GATEWAY_KEYS_FILE: keysFile, KAFKA_BROKERS: 'embedded:0', REDIS_URL: 'redis://embedded:0' };
  const services = await startServices([...SERVICE_NAMES], env, { infra: createEmbeddedInfra() });
  return { prefix, intake: urlOf(services, 'intake'), operator: urlOf(services, 'operator'), key, stop: () => stopServices(services) };
}

const MODES: Array<[string, (esms: LoopbackEsms, dir: string) => Promise<Gateway>]> = [
  ['a real Kafka and Redis', onKafkaAndRedis],
  ['the embedded mode', embedded],
];

/** eSMS takes national numbers ("0905…"): compared by their last nine digits. */
const line = (phone: string): string => phone.replace(/\D/g, '').slice(-9);

/** eSMS's "unknown error" (CodeResult 99): transient, so the worker retries. */
const OUTAGE: Answer = { kind: 'error', status: 200, code: '99', message: 'Lỗi hệ thống' };

describe.each(MODES)('a message for an older version is superseded, on %s', (_name, start) => {
  let esms: LoopbackEsms;
  let gateway: Gateway;
  const dir = mkdtempSync(join(tmpdir(), 'gateway-superseded-'));

  beforeAll(async () => {
    esms = await startLoopbackEsms(ESMS_CREDENTIALS);
    gateway = await start(esms, dir);
  }, 120_000);
  afterAll(async () => {
    await gateway?.stop();
    await esms?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = async (body: unknown) => {
    const res = await fetch(`${gateway.intake}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${gateway.key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(202);
  };
  type Report = { total?: number; counts?: Record<string, number>; recipients?: Array<{ id: string; channels: Array<{ channel: string; messageId: string; status: string }> }> };
  const report = async (eventId: string): Promise<Report> => {
    const res = await fetch(`${gateway.operator}/v1/events/${eventId}/report`, { headers: { authorization: `Bearer ${gateway.key}` } });
    return res.status === 200 ? ((await res.json()) as Report) : {};
  };
  const reason = async (messageId: string): Promise<string | undefined> => {
    const res = await fetch(`${gateway.operator}/v1/notifications/${messageId}`, { headers: { authorization: `Bearer ${gateway.key}` } });
    return ((await res.json()) as { reason?: string }).reason;
  };
  const smsIds = (r: Report): string[] => (r.recipients ?? []).flatMap((p) => p.channels.filter((c) => c.channel === 'sms').map((c) => c.messageId));
  const people = (tag: string) =>
    [1, 2, 3].map((n) => ({ id: `${tag}-nguoi-${n}`, name: `Nguyễn Văn ${['An', 'Bình', 'Cường'][n - 1]}`, phone: `+8490${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}` }));

  it('when the provider fails every SMS of an invitation and the meeting is then moved, then after the provider recovers each person gets the change notice and never the old invitation; the invitations are superseded', async () => {
    const participants = people(`${gateway.prefix}-m`);
    const meetingId = `${gateway.prefix}-hop-1`.slice(0, 120);
    const scheduled = loadExample('meeting-scheduled-hoi-nghi-bch') as { source: string; data: Record<string, unknown> };
    const updated = loadExample('meeting-updated-chuyen-chieu') as { source: string; data: Record<string, unknown> };
    const invitationId = `${gateway.prefix}-giay-moi`;
    const changeId = `${gateway.prefix}-thay-doi`;
    const phones = new Set(participants.map((p) => line(p.phone)));

    esms.answer = () => OUTAGE;
    await post({ ...scheduled, id: invitationId, data: { ...scheduled.data, meetingId, participants } });
    // Every invitation SMS reached the provider and failed at least once: each waits for a retry.
    await waitFor(() => participants.every((p) => esms.requests.some((r) => line(r.to) === line(p.phone))), { timeoutMs: 60_000, message: 'every invitation tried once' });
    await waitFor(async () => (await report(invitationId)).counts?.retrying === participants.length, { timeoutMs: 60_000, message: 'the invitations retrying' });

    await post({ ...updated, id: changeId, source: scheduled.source, data: { ...updated.data, meetingId, participants } });
    // The renderer records the new version before it publishes the change: once the change's
    // messages are known to the operator, the old ones are stale.
    await waitFor(async () => smsIds(await report(changeId)).length === participants.length, { timeoutMs: 60_000, message: 'the change rendered' });
    esms.answer = () => ({ kind: 'accept' });

    await waitFor(async () => (await report(invitationId)).counts?.superseded === participants.length, { timeoutMs: 60_000, message: 'the invitations superseded' });
    await waitFor(async () => (await report(changeId)).counts?.sent === participants.length, { timeoutMs: 60_000, message: 'the change notices sent' });
    const invitations = smsIds(await report(invitationId));
    const changes = smsIds(await report(changeId));
    const accepted = esms.accepted.filter((m) => phones.has(line(m.to)));
    expect(accepted.map((m) => m.messageId).sort()).toEqual([...changes].sort());
    expect(accepted.some((m) => invitations.includes(m.messageId))).toBe(false);
    expect([...new Set(accepted.map((m) => line(m.to)))].sort()).toEqual([...phones].sort());
    for (const m of accepted) expect(m.body).toMatch(/THAY (ĐỔI|DOI)/);
    for (const id of invitations) expect(await reason(id)).toBe('Đã có thông báo mới hơn cho cuộc họp này');
  });

  it('when a document is recalled before its alert could be sent, then the alert is superseded and the recall notice goes', async () => {
    const recipients = people(`${gateway.prefix}-d`);
    const documentId = `${gateway.prefix}-vb-1`.slice(0, 120);
    const dispatched = loadExample('document-dispatched-mat') as { source: string; data: Record<string, unknown> };
    const recalled = loadExample('document-recalled') as { source: string; data: Record<string, unknown> };
    const alertId = `${gateway.prefix}-van-ban`;
    const recallId = `${gateway.prefix}-thu-hoi`;
    const phones = new Set(recipients.map((p) => line(p.phone)));

    esms.answer = (request) => (phones.has(line(request.to)) ? OUTAGE : { kind: 'accept' });
    await post({ ...dispatched, id: alertId, data: { ...dispatched.data, documentId, recipients } });
    await waitFor(async () => (await report(alertId)).counts?.retrying === recipients.length, { timeoutMs: 60_000, message: 'the alerts retrying' });
    await post({ ...recalled, id: recallId, source: dispatched.source, data: { ...recalled.data, documentId, recipients } });
    await waitFor(async () => smsIds(await report(recallId)).length === recipients.length, { timeoutMs: 60_000, message: 'the recall rendered' });
    esms.answer = () => ({ kind: 'accept' });

    await waitFor(async () => (await report(alertId)).counts?.superseded === recipients.length, { timeoutMs: 60_000, message: 'the alerts superseded' });
    await waitFor(async () => (await report(recallId)).counts?.sent === recipients.length, { timeoutMs: 60_000, message: 'the recall notices sent' });
    const alerts = smsIds(await report(alertId));
    const accepted = esms.accepted.filter((m) => phones.has(line(m.to)));
    expect(accepted.map((m) => m.messageId).sort()).toEqual(smsIds(await report(recallId)).sort());
    for (const id of alerts) expect(await reason(id)).toBe('Văn bản đã bị thu hồi');
  });
});
