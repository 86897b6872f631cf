import type { BusPublisher as Producer } from '@gateway/bus';
import { Redis } from 'ioredis';
import { withPrefix, type ChannelMessage, type ChannelMessageInput, type DeliveryStatus } from '@gateway/contracts';
import type { CapturedEmail, CapturedSms, DevOutbox } from '@gateway/common';
import { createRedisLedger, type FailedRecord } from '@gateway/delivery-ledger';
import { createRedisDirectoryStore } from '@gateway/directory';
import { createTopics, kafkaBrokers, readAllMessages, redisUrl, testBus, uniqueName, waitFor } from '@gateway/tests/support/infra';
import { smsMessage } from '@gateway/worker-core/test/support/kafka';
import type { RunningOperator } from '../src/main';
import { client, produceRendered, removeKeys, startTestOperator, writeKeys, type TestKeys } from './support';

jest.setTimeout(90_000);

class ListOutbox implements DevOutbox {
  constructor(private readonly mails: CapturedEmail[], private readonly texts: CapturedSms[]) {}
  emails(limit = 50) {
    return this.mails.slice(0, limit);
  }
  email(id: string) {
    return this.mails.find((m) => m.messageId === id);
  }
  sms(limit = 50) {
    return this.texts.slice(0, limit);
  }
}

describe('operator API against a real broker and Redis', () => {
  const prefix = uniqueName('opapi');
  const topics = withPrefix(prefix);
  let keys: TestKeys;
  let operator: RunningOperator;
  let producer: Producer;
  let redis: Redis;
  let call: ReturnType<typeof client>;
  const failed = new Map<string, ChannelMessageInput>();

  async function fail(message: ChannelMessageInput, code = '21211'): Promise<void> {
    const ledger = createRedisLedger(redis, { prefix: `${prefix}:` }).forWorker({ leaseMs: 1000, waitMs: 0, doneTtlMs: 600_000, owner: 'test', failedRecordTtlMs: 600_000 });
    const at = new Date().toISOString();
    const record: FailedRecord = { messageId: message.id, eventId: message.eventId, channel: 'sms', recipient: message.recipient, state: 'failed', reason: `permanent error from twilio: ${code}`, errorClass: 'permanent', code, provider: 'twilio', providerAnswer: `{"code":${code},"message":"The 'To' number is not a valid phone number."}`, attempts: 1, at, message: message as ChannelMessage };
    await ledger.recordFailure(record);
    const statuses: DeliveryStatus[] = [
      { messageId: message.id, eventId: message.eventId, channel: 'sms', status: 'queued', at: new Date(Date.now() - 30_000).toISOString() },
      { messageId: message.id, eventId: message.eventId, channel: 'sms', status: 'sending', attempt: 1, at: new Date(Date.now() - 20_000).toISOString() },
      { messageId: message.id, eventId: message.eventId, channel: 'sms', status: 'failed', attempt: 1, at, provider: 'twilio', reason: record.reason, error: { class: 'permanent', code, message: "The 'To' number is not a valid phone number." } },
    ];
    await producer.publish(statuses.map((s) => ({ topic: topics.status, key: s.messageId, value: JSON.stringify(s) })));
    failed.set(message.id, message);
  }

  const audit = async (query: string) => (await call('GET', `/v1/audit?${query}`, keys.admin)).json.items as Array<Record<string, unknown>>;

  beforeAll(async () => {
    await createTopics(kafkaBrokers(), [topics.status, topics.sms, topics.email, topics.push, topics.inapp], 3);
    keys = writeKeys();
    redis = new Redis(redisUrl());
    const outbox = new ListOutbox(
      [{ messageId: 'm-mail-1', eventId: 'e', to: 'nvan@danang.gov.vn', subject: 'Giấy mời họp', html: '<p>Kính mời</p>', text: 'Kính mời', ics: 'BEGIN:VCALENDAR', at: new Date().toISOString() }],
      [{ messageId: 'm-sms-1', eventId: 'e', to: '+84905123456', body: 'Kinh moi dong chi', encoding: 'GSM-7', segments: 1, at: new Date().toISOString() }],
    );
    operator = await startTestOperator(prefix, keys, { devOutbox: outbox });
    call = client(operator.url);
    producer = testBus().publisher();
    await producer.connect();

    const event = `${prefix}-event`;
    const an = smsMessage(prefix, 1, { eventId: event, recipient: { id: 'nguyen-van-an', name: 'Nguyễn Văn An', phone: '+84900000001' } });
    const binh = smsMessage(prefix, 2, { eventId: event, recipient: { id: 'tran-thi-binh', name: 'Trần Thị Bình', phone: '+84905000002' } });
    const binhMail: ChannelMessageInput = { ...smsMessage(prefix, 3, { eventId: event }), channel: 'email', id: `${prefix}-email-2`, recipient: { id: 'tran-thi-binh', name: 'Trần Thị Bình', email: 'ttbinh@danang.gov.vn' }, subject: 'Giấy mời', html: '<p>x</p>', text: 'x' } as unknown as ChannelMessageInput;
    await produceRendered(producer, topics, [an, binh, binhMail]);
    await fail(an);
    await producer.publish([{ topic: topics.status, key: binh.id, value: JSON.stringify({ messageId: binh.id, eventId: event, channel: 'sms', status: 'sent', attempt: 1, provider: 'twilio', at: new Date().toISOString() }) }]);
    await createRedisDirectoryStore(redis, { prefix: `${prefix}:dir:` }).upsertPerson({ id: 'nguyen-van-an', name: 'Nguyễn Văn An', phone: '+84900000001', email: 'nvan@danang.gov.vn' });
    await waitFor(async () => (await call('GET', `/v1/notifications?eventId=${event}&pageSize=0`, keys.viewer)).json.total === 3 && (await call('GET', `/v1/notifications/${an.id}`, keys.viewer)).json.status === 'failed', { timeoutMs: 30_000, message: 'the seeded statuses projected' });
  });

  afterAll(async () => {
    await producer?.disconnect();
    await operator?.stop();
    redis?.disconnect();
    removeKeys(keys);
  });

  it('when readiness is asked, then it names the Kafka bus and the Redis store it checked, and that the projection consumes', async () => {
    const res = await fetch(`${operator.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ready: true, bus: { kind: 'kafka', ok: true }, store: { kind: 'redis', ok: true }, consuming: true });
  });

  it('when searching, then filters, paging and totals per status and channel answer; bad parameters are 400 naming the field', async () => {
    const event = `${prefix}-event`;
    const all = await call('GET', `/v1/notifications?eventId=${event}`, keys.viewer);
    expect(all.status).toBe(200);
    expect(all.json).toMatchObject({ total: 3, page: 1, pageSize: 50, totals: { byStatus: { failed: 1, sent: 1, rendered: 1 }, byChannel: { sms: 2, email: 1 } } });
    const byName = await call('GET', `/v1/notifications?recipient=${encodeURIComponent('tran thi binh')}&eventId=${event}&channel=sms`, keys.viewer);
    expect(byName.json.items?.map((i) => i.messageId)).toEqual([`${prefix}-sms-2`]);
    const failedOnes = await call('GET', `/v1/notifications?status=failed,dead&source=vpthanhuy-danang&recipient=0900000001`, keys.viewer);
    expect(failedOnes.json.items).toEqual([expect.objectContaining({ messageId: `${prefix}-sms-1`, status: 'failed', resendable: true, recipient: { id: 'nguyen-van-an', name: 'Nguyễn Văn An', phone: '+84900000001' }, reasonText: expect.stringContaining('Số điện thoại không đúng') })]);
    const paged = await call('GET', `/v1/notifications?eventId=${event}&pageSize=1&page=2&sort=updatedAt`, keys.viewer);
    expect(paged.json).toMatchObject({ total: 3, page: 2, pageSize: 1 });
    expect(paged.json.items).toHaveLength(1);
    const bad = await call('GET', '/v1/notifications?status=lost&pageSize=5000&from=yesterday', keys.viewer);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect((bad.json.errors as Array<{ path: string }>).map((e) => e.path).sort()).toEqual(['query.from', 'query.pageSize', 'query.status']);
  });

  it('when a notification is read, then its attempt history names time, provider, answer and error class', async () => {
    const detail = await call('GET', `/v1/notifications/${prefix}-sms-1`, keys.viewer);
    expect(detail.status).toBe(200);
    expect(detail.json.attemptHistory).toEqual([expect.objectContaining({ attempt: 1, outcome: 'failed', provider: 'twilio', errorClass: 'permanent', code: '21211', answer: expect.stringContaining('"code":21211'), startedAt: expect.any(String), at: expect.any(String) })]);
    expect(detail.json).toMatchObject({ status: 'failed', canResendFromCopy: true, resends: [], recipient: { name: 'Nguyễn Văn An' } });
    expect((await call('GET', '/v1/notifications/unknown-id', keys.viewer)).status).toBe(404);
  });

  it('when an event report is asked for, then every recipient × channel, the counts and (for a meeting) the unreached are answered', async () => {
    const report = await call('GET', `/v1/events/${prefix}-event/report`, keys.viewer);
    expect(report.status).toBe(200);
    expect(report.json).toMatchObject({ eventId: `${prefix}-event`, eventType: 'meeting.scheduled', total: 3, counts: { failed: 1, sent: 1, rendered: 1 }, unreached: [{ id: 'nguyen-van-an', name: 'Nguyễn Văn An' }] });
    const people = report.json.recipients as Array<{ id: string; channels: Array<{ channel: string; status: string }>; reached: boolean }>;
    expect(people.find((p) => p.id === 'tran-thi-binh')).toMatchObject({ reached: true, channels: expect.arrayContaining([expect.objectContaining({ channel: 'sms', status: 'sent' }), expect.objectContaining({ channel: 'email', status: 'rendered' })]) });
    expect((await call('GET', `/v1/events/${prefix}-nothing/report`, keys.viewer)).status).toBe(404);
  });

  it('when a viewer tries to resend, then 403 and the attempt is audited; an operator\'s corrected resend is 202, once per request id, on the channel topic, linked, audited with before/after, and the directory is corrected', async () => {
    const id = `${prefix}-sms-1`;
    const denied = await call('POST', `/v1/notifications/${id}/resend`, keys.viewer, { phone: '0905123456' });
    expect(denied.status).toBe(403);
    const invalid = await call('POST', `/v1/notifications/${id}/resend`, keys.operator, { phone: '0123456789', extra: 1 });
    expect(invalid.status).toBe(400);
    expect((invalid.json.errors as Array<{ path: string }>).map((e) => e.path)).toEqual(['body']);
    const badPhone = await call('POST', `/v1/notifications/${id}/resend`, keys.operator, { phone: '0123456789' });
    expect(badPhone.status).toBe(400);
    expect(badPhone.json.errors).toEqual([{ path: 'body.phone', message: expect.any(String) }]);

    const body = { phone: '0905 123 456', updateDirectory: true, requestId: 'click-1' };
    const first = await call('POST', `/v1/notifications/${id}/resend`, keys.operator, body);
    expect(first.status).toBe(202);
    expect(first.json).toEqual({ resendId: expect.stringMatching(/^rs-/), messageId: expect.stringMatching(/^r-/) });
    const second = await call('POST', `/v1/notifications/${id}/resend`, keys.operator, body);
    expect(second.status).toBe(202);
    expect(second.json).toEqual(first.json);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    // Another operator clicking "resend" meanwhile is refused: the first resend is on its way.
    const other = await call('POST', `/v1/notifications/${id}/resend`, keys.admin, {});
    expect(other.status).toBe(409);

    const onTopic = (await readAllMessages(kafkaBrokers(), topics.sms, { expected: 1, timeoutMs: 15_000 })).map((m) => JSON.parse(m.value) as ChannelMessage);
    expect(onTopic).toEqual([expect.objectContaining({ id: first.json.messageId, resendOf: id, recipient: expect.objectContaining({ phone: '+84905123456' }) })]);
    expect((await createRedisDirectoryStore(redis, { prefix: `${prefix}:dir:` }).getPerson('nguyen-van-an'))?.phone).toBe('+84905123456');

    await waitFor(async () => ((await call('GET', `/v1/notifications/${id}`, keys.viewer)).json.resends as unknown[]).length === 1, { timeoutMs: 15_000 });
    const original = await call('GET', `/v1/notifications/${id}`, keys.viewer);
    expect(original.json.resends).toEqual([expect.objectContaining({ messageId: first.json.messageId, by: 'van-thu' })]);
    await waitFor(async () => (await call('GET', `/v1/notifications/${String(first.json.messageId)}`, keys.viewer)).status === 200, { timeoutMs: 15_000 });
    const copy = await call('GET', `/v1/notifications/${String(first.json.messageId)}`, keys.viewer);
    expect(copy.json).toMatchObject({ resendOf: id, recipient: { phone: '+84905123456' }, resend: { by: 'van-thu', corrections: { phone: { before: '+84900000001', after: '+84905123456' } } } });

    // The list has one row per original and its resends: the resend, on its way. Asked for every
    // attempt, it marks the original as resent: no resend offered.
    const eventFilter = `eventId=${encodeURIComponent(String(original.json.eventId))}&channel=sms&pageSize=100`;
    const latest = await call('GET', `/v1/notifications?${eventFilter}`, keys.viewer);
    expect(latest.json.items?.map((i) => i.messageId)).not.toContain(id);
    expect(latest.json.items?.find((i) => i.messageId === first.json.messageId)).toMatchObject({ resendOf: id, resendable: false });
    const listed = await call('GET', `/v1/notifications?${eventFilter}&status=failed,dead,undelivered&attempts=all`, keys.viewer);
    const row = (listed.json.items as Array<{ messageId: string; resendable: boolean; resentAs?: { messageId: string } }>).find((i) => i.messageId === id);
    expect(row).toMatchObject({ resendable: false, resentAs: { messageId: first.json.messageId } });

    const entries = await audit('action=notification.resend');
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actor: 'xem', outcome: 'denied', status: 403 }),
        expect.objectContaining({ actor: 'van-thu', outcome: 'ok', status: 202, messageIds: [id, first.json.messageId], details: expect.objectContaining({ replayed: false, corrections: { phone: { before: '+84900000001', after: '+84905123456' } }, directory: { state: 'updated', before: { phone: '+84900000001', email: 'nvan@danang.gov.vn' }, after: { phone: '+84905123456', email: 'nvan@danang.gov.vn' } } }) }),
        expect.objectContaining({ actor: 'van-thu', outcome: 'ok', details: expect.objectContaining({ replayed: true }) }),
        expect.objectContaining({ actor: 'quan-tri', outcome: 'refused', status: 409 }),
        expect.objectContaining({ actor: 'van-thu', outcome: 'refused', status: 400 }),
      ]),
    );
  });

  /** A failed invitation email as the email worker keeps it, its calendar part naming `attendee`. */
  async function failInvitation(n: number, attendee: string): Promise<string> {
    const recipient = { id: `nguoi-${n}`, name: 'Lê Văn Cường', email: `cuong${n}@danang.gov.vn` };
    const ics = ['BEGIN:VCALENDAR', 'METHOD:REQUEST', 'BEGIN:VEVENT', `UID:hop-${n}@gateway`, 'SEQUENCE:0', `ATTENDEE;CN="Lê Văn Cường";ROLE=REQ-PARTICIPANT:mailto:${attendee}`, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
    const message = { id: `${prefix}-invite-${n}`, eventId: `${prefix}-invites`, eventType: 'meeting.scheduled', correlationId: 'c', createdAt: '2025-09-26T08:00:00+07:00', urgency: 'thuong', recipient, attempt: 1, channel: 'email', subject: 'Giấy mời họp', html: '<p>Kính mời</p>', text: 'Kính mời', calendar: { method: 'REQUEST', uid: `hop-${n}@gateway`, sequence: 0, ics } } as ChannelMessage;
    const at = new Date().toISOString();
    await createRedisLedger(redis, { prefix: `${prefix}:` }).forWorker({ leaseMs: 1000, waitMs: 0, doneTtlMs: 600_000, owner: 'test', failedRecordTtlMs: 600_000 }).recordFailure({ messageId: message.id, eventId: message.eventId, channel: 'email', recipient, state: 'failed', reason: 'permanent error from smtp: 550', errorClass: 'permanent', code: '550', provider: 'smtp', providerAnswer: '550 no such user', attempts: 1, at, message });
    await produceRendered(producer, topics, [message as ChannelMessageInput]);
    await producer.publish([{ topic: topics.status, key: message.id, value: JSON.stringify({ messageId: message.id, eventId: message.eventId, channel: 'email', status: 'failed', attempt: 1, at }) }]);
    await waitFor(async () => (await call('GET', `/v1/notifications/${message.id}`, keys.viewer)).json.status === 'failed', { timeoutMs: 30_000, message: `${message.id} projected as failed` });
    return message.id;
  }

  it('when a corrected email cannot be written into the invitation (its calendar names someone else), then 400 names body.email in Vietnamese, nothing is kept, and the chain can still be resent; an apostrophe in a corrected email is no obstacle', async () => {
    const stray = await failInvitation(1, 'someone-else@danang.gov.vn');
    for (const attempt of [1, 2]) {
      const refused = await call('POST', `/v1/notifications/${stray}/resend`, keys.operator, { email: 'cuong.le@danang.gov.vn', requestId: 'fix-stray' });
      expect([attempt, refused.status, refused.json.errors]).toEqual([attempt, 400, [{ path: 'body.email', code: 'cannot-readdress', message: expect.stringMatching(/^lời mời họp của tin này/) }]]);
    }
    expect((await call('POST', `/v1/notifications/${stray}/resend`, keys.operator, { requestId: 'plain' })).status).toBe(202);
    const fine = await failInvitation(2, 'cuong2@danang.gov.vn');
    expect((await call('POST', `/v1/notifications/${fine}/resend`, keys.operator, { email: "o'neill@danang.gov.vn", requestId: 'fix-fine' })).status).toBe(202);
  });

  it('when a message was sent, then resending it is refused with 409 and the current state', async () => {
    const refused = await call('POST', `/v1/notifications/${prefix}-sms-2/resend`, keys.operator, {});
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ currentStatus: 'sent', type: '/problems/already-delivered' });
    expect((await call('POST', `/v1/notifications/${prefix}-nope/resend`, keys.operator, {})).status).toBe(404);
  });

  it('when a resend job is created, then it is 202 with its total, its progress reads until done, it is listed, and cancelling a finished job is 409; viewers cannot create or cancel', async () => {
    const m4 = smsMessage(prefix, 4, { eventId: `${prefix}-event-2`, recipient: { id: 'le-van-cuong', name: 'Lê Văn Cường', phone: '+84900000004' } });
    const m5 = smsMessage(prefix, 5, { eventId: `${prefix}-event-2`, recipient: { id: 'pham-thi-dung', name: 'Phạm Thị Dung', phone: '+84900000005' } });
    await produceRendered(producer, topics, [m4, m5]);
    await fail(m4);
    await fail(m5);
    await waitFor(async () => (await call('GET', `/v1/notifications?eventId=${prefix}-event-2&status=failed&pageSize=0`, keys.viewer)).json.total === 2, { timeoutMs: 20_000 });

    expect((await call('POST', '/v1/resend-jobs', keys.viewer, { filter: { eventId: `${prefix}-event-2` } })).status).toBe(403);
    expect((await call('POST', '/v1/resend-jobs', null, { filter: {} })).status).toBe(401);
    const bad = await call('POST', '/v1/resend-jobs', keys.operator, { filter: { status: 'sent', channel: 'fax' } });
    expect(bad.status).toBe(400);
    expect((bad.json.errors as Array<{ path: string }>).map((e) => e.path).sort()).toEqual(['body.filter.channel', 'body.filter.status']);

    const created = await call('POST', '/v1/resend-jobs', keys.operator, { filter: { eventId: `${prefix}-event-2`, channel: 'sms' } });
    expect(created.status).toBe(202);
    expect(created.json).toEqual({ id: expect.any(String), total: 2 });
    const jobId = String(created.json.id);
    const done = await waitFor(async () => {
      const job = await call('GET', `/v1/resend-jobs/${jobId}`, keys.viewer);
      return job.json.state === 'done' ? job.json : undefined;
    }, { timeoutMs: 20_000 });
    expect(done).toMatchObject({ id: jobId, state: 'done', total: 2, done: 2, failed: 0, skipped: 0, createdBy: 'van-thu', createdAt: expect.any(String), filter: { eventId: `${prefix}-event-2`, channel: ['sms'], status: ['failed', 'dead', 'undelivered'] } });
    expect((await call('GET', '/v1/resend-jobs', keys.viewer)).json.items?.map((j) => j.id)).toContain(jobId);
    expect((await call('POST', `/v1/resend-jobs/${jobId}/cancel`, keys.viewer)).status).toBe(403);
    expect((await call('POST', `/v1/resend-jobs/${jobId}/cancel`, keys.operator)).status).toBe(409);
    expect((await call('GET', '/v1/resend-jobs/nope', keys.viewer)).status).toBe(404);
    const jobsAudit = await audit('actor=van-thu');
    expect(jobsAudit).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'resend-job.create', jobId, filter: expect.objectContaining({ eventId: `${prefix}-event-2` }) }), expect.objectContaining({ action: 'resend-job.cancel', outcome: 'refused', status: 409 })]));
    expect(await audit('action=resend-job.create&actor=xem')).toEqual([expect.objectContaining({ outcome: 'denied', status: 403 })]);
  });

  it('when keys are missing, unknown or lack the scope, then every endpoint answers 401 / 403 and the attempt is audited', async () => {
    const endpoints: Array<[string, string, string]> = [
      ['GET', '/v1/notifications', 'notification.search'],
      ['GET', `/v1/notifications/${prefix}-sms-1`, 'notification.read'],
      ['GET', `/v1/events/${prefix}-event/report`, 'event.report'],
      ['POST', `/v1/notifications/${prefix}-sms-1/resend`, 'notification.resend'],
      ['POST', '/v1/resend-jobs', 'resend-job.create'],
      ['GET', '/v1/resend-jobs', 'resend-job.list'],
      ['GET', '/v1/resend-jobs/x', 'resend-job.read'],
      ['POST', '/v1/resend-jobs/x/cancel', 'resend-job.cancel'],
      ['GET', '/v1/audit', 'audit.read'],
    ];
    const since = new Date().toISOString();
    for (const [method, path] of endpoints) {
      expect([method, path, (await call(method, path, null)).status]).toEqual([method, path, 401]);
      expect([method, path, (await call(method, path, 'gw_not-a-key')).status]).toEqual([method, path, 401]);
      expect([method, path, (await call(method, path, keys.sender)).status]).toEqual([method, path, 403]);
    }
    expect((await call('GET', '/v1/audit', keys.viewer)).status).toBe(403);
    expect((await call('GET', '/v1/audit', keys.operator)).status).toBe(403);
    const entries =
      (await waitFor(async () => {
        const items = (await call('GET', `/v1/audit?from=${encodeURIComponent(since)}&pageSize=500`, keys.admin)).json.items ?? [];
        return items.length >= endpoints.length * 3 + 2 ? items : undefined;
      })) ?? [];
    for (const [, , action] of endpoints) {
      // Viewer and operator were refused the audit too (checked below).
      const mine = entries.filter((e) => e.action === action && !(action === 'audit.read' && ['xem', 'van-thu'].includes(String(e.actor))));
      expect([action, mine.map((e) => `${String(e.actor)}:${String(e.status)}`).sort()]).toEqual([action, ['(no key):401', '(unknown key):401', 'he-thong-hop:403']]);
    }
    expect(entries.filter((e) => e.action === 'audit.read').map((e) => e.actor).sort()).toEqual(expect.arrayContaining(['van-thu', 'xem']));
    const bad = await call('GET', '/v1/audit?from=nope', keys.admin);
    expect(bad.status).toBe(400);
  });

  it('when the console and the development outbox are asked for, then the page is served with a strict CSP and the outbox lists captured mail and SMS', async () => {
    const page = await fetch(`${operator.url}/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<html lang="vi">');
    expect((await fetch(`${operator.url}/console/app.js`)).status).toBe(200);
    const me = await call('GET', '/v1/me', keys.viewer);
    expect(me.json).toMatchObject({ name: 'xem', canRead: true, canResend: false, isAdmin: false, devOutbox: true });
    // A wrong key at the console's sign-in is refused as on every route, and audited: guessing keys shows.
    const since = new Date().toISOString();
    const missing = await call('GET', '/v1/me', null);
    expect([missing.status, missing.json.title, missing.headers.get('www-authenticate')]).toEqual([401, 'Authentication required', 'Bearer realm="gateway"']);
    const unknown = await call('GET', '/v1/me', 'gw_not-a-key');
    expect([unknown.status, unknown.json.title, unknown.headers.get('www-authenticate')]).toEqual([401, 'Unknown or revoked API key', 'Bearer realm="gateway", error="invalid_token"']);
    const denied = await waitFor(async () => {
      const items = await audit(`action=me.read&from=${encodeURIComponent(since)}`);
      return items.length >= 2 ? items : undefined;
    });
    expect((denied ?? []).map((e) => `${String(e.actor)}:${String(e.outcome)}:${String(e.status)}`).sort()).toEqual(['(no key):denied:401', '(unknown key):denied:401']);
    expect((await call('GET', '/v1/dev-outbox/emails', keys.viewer)).json.items).toEqual([expect.objectContaining({ subject: 'Giấy mời họp', ics: 'BEGIN:VCALENDAR' })]);
    expect((await call('GET', '/v1/dev-outbox/sms', keys.viewer)).json.items).toEqual([expect.objectContaining({ encoding: 'GSM-7', segments: 1 })]);
    expect((await call('GET', '/v1/dev-outbox/sms', null)).status).toBe(401);
  });
});
