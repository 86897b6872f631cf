import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allTopics, loadExample, withPrefix, type Topics } from '@gateway/contracts';
import { createLogger, generateKey, hashKey, setKeyCallback } from '@gateway/common';
import { loadIntakeSettings, startIntake, type RunningIntake } from '@gateway/intake';
import { loadRendererSettings, startRenderer, type RunningRenderer } from '@gateway/renderer';
import { loadOperatorSettings, startOperator, type RunningOperator } from '@gateway/operator';
import { startCallbackReceiver, type CallbackReceiver } from '@gateway/operator/test/callback-receiver';
import { createTopics, kafkaBrokers, readAllMessages, redisUrl, uniqueName, waitFor } from '@gateway/tests/support/infra';

/**
 * Attendance confirmation end to end on a real Kafka and Redis: intake -> renderer (personal links
 * in every message, the link store) -> a recipient opens the link on the operator's page and
 * answers -> gateway.attendance.v1 -> the projection -> the attendance API, and the sending
 * system's callback.
 */

const SOURCE = 'vpthanhuy-lichhop';
const senderKey = generateKey();
const viewerKey = generateKey();
const otherViewerKey = generateKey();
const dir = mkdtempSync(join(tmpdir(), 'gateway-attendance-'));
const keysFile = join(dir, 'keys.json');
writeFileSync(
  keysFile,
  JSON.stringify({
    keys: [
      { name: 'lich-hop', sha256: hashKey(senderKey), scopes: ['events:write'], sources: [SOURCE] },
      { name: 'xem-lich-hop', sha256: hashKey(viewerKey), scopes: ['notifications:read'], sources: [SOURCE] },
      { name: 'xem-khac', sha256: hashKey(otherViewerKey), scopes: ['notifications:read'], sources: ['ubnd-lichhop'] },
    ],
  }),
);

const A = { id: 'nguyen-van-an', name: 'Nguyễn Văn An', title: 'Phó Bí thư Thường trực', phone: '+84905123456', email: 'nvan@danang.gov.vn', userId: 'u-10231' };
const B = { id: 'tran-thi-bich', name: 'Trần Thị Bích', phone: '+84913456789', email: 'ttbich@danang.gov.vn' };
const C = { id: 'le-minh-tuan', name: 'Lê Minh Tuấn', phone: '+84983214567', email: 'lmtuan@danang.gov.vn' };

let prefix: string;
let topics: Topics;
let operator: RunningOperator | undefined;
let renderer: RunningRenderer | undefined;
let intake: RunningIntake | undefined;
let receiver: CallbackReceiver | undefined;
let callbackSecret = '';

beforeAll(async () => {
  prefix = uniqueName('attendance');
  topics = withPrefix(prefix);
  await createTopics(kafkaBrokers(), allTopics(topics), 3);
  const common = { KAFKA_BROKERS: kafkaBrokers().join(','), REDIS_URL: redisUrl(), REDIS_KEY_PREFIX: `${prefix}:`, GATEWAY_KEYS_FILE: keysFile, TOPIC_PREFIX: prefix, KAFKA_CREATE_TOPICS: 'false', LOG_LEVEL: 'silent', ATTENDANCE_LINK_SECRET: 'component-test-secret-of-enough-length-0123' };
  const logger = (service: string) => ({ logger: createLogger({ name: service, level: 'silent' }) });
  // The sending system's callback endpoint, verifying each signature with the documented snippet.
  receiver = await startCallbackReceiver(() => callbackSecret);
  callbackSecret = setKeyCallback(keysFile, 'lich-hop', { url: receiver.url }).secret ?? '';
  const callbacks = { CALLBACKS_GROUP_ID: `${prefix}-callbacks`, CALLBACK_ALLOW_HTTP: 'true', CALLBACK_BATCH_WAIT_MS: '50' };
  operator = await startOperator(loadOperatorSettings({ ...common, ...callbacks, OPERATOR_PORT: '0', STATUS_GROUP_ID: `${prefix}-status`, ATTENDANCE_GROUP_ID: `${prefix}-attendance` }), logger('operator'));
  renderer = await startRenderer(loadRendererSettings({ ...common, RENDERER_PORT: '0', RENDERER_GROUP_ID: `${prefix}-renderer`, PUBLIC_BASE_URL: operator.url }), logger('renderer'));
  intake = await startIntake(loadIntakeSettings({ ...common, INTAKE_PORT: '0' }), logger('intake'));
});

afterAll(async () => {
  await Promise.allSettled([intake?.stop(), renderer?.stop(), operator?.stop()]);
  await receiver?.close();
  rmSync(dir, { recursive: true, force: true });
});

function meetingEvent(id: string, meetingId: string, start: Date, end: Date) {
  const example = loadExample('meeting-scheduled-hoi-nghi-bch') as { data: Record<string, unknown> };
  return { ...example, id, source: SOURCE, data: { ...example.data, meetingId, start: start.toISOString(), end: end.toISOString(), confirmationRequired: true, participants: [A, B, C] } };
}

async function post(event: unknown): Promise<void> {
  const res = await fetch(`${intake?.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${senderKey}`, 'content-type': 'application/json' }, body: JSON.stringify(event) });
  expect(res.status).toBe(202);
}

/** Each person's link, as their SMS and email carry it. */
async function linksOf(meetingTitleCount: number): Promise<Map<string, string>> {
  const sms = (await readAllMessages(kafkaBrokers(), topics.sms, { expected: meetingTitleCount * 3, timeoutMs: 30_000 })).map((m) => JSON.parse(m.value) as { recipient: { id: string }; text: string; eventId: string });
  const email = (await readAllMessages(kafkaBrokers(), topics.email, { expected: meetingTitleCount * 3, timeoutMs: 30_000 })).map((m) => JSON.parse(m.value) as { recipient: { id: string }; text: string; eventId: string });
  const links = new Map<string, string>();
  const pattern = new RegExp(`${operator?.url}/x/[0-9A-Za-z]{12}`);
  for (const m of [...sms, ...email]) {
    const link = pattern.exec(m.text)?.[0];
    expect(link).toBeDefined();
    const key = `${m.eventId}/${m.recipient.id}`;
    if (links.has(key)) expect(links.get(key)).toBe(link);
    links.set(key, link as string);
  }
  return links;
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const tokenOf = (html: string) => /name="token" value="([^"]+)"/.exec(html)?.[1] ?? '';

async function answer(link: string, fields: Record<string, string>): Promise<{ status: number; html: string }> {
  const page = await (await fetch(link)).text();
  const res = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form({ token: tokenOf(page), ...fields }) });
  return { status: res.status, html: await res.text() };
}

async function attendance(meetingId: string, key = viewerKey): Promise<{ status: number; json: Record<string, unknown> & { counts?: Record<string, number>; people?: Array<Record<string, unknown>> } }> {
  const res = await fetch(`${operator?.url}/v1/meetings/${meetingId}/attendance`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('attendance confirmation (intake -> renderer -> page -> gateway.attendance.v1 -> projection -> API, real Kafka and Redis)', () => {
  it('when a meeting requires confirmation, then each person answers by their own link, the latest answer wins, and the API counts them', async () => {
    const meetingId = `${prefix}-hop`;
    const start = new Date(Date.now() + 2 * 24 * 3600_000);
    await post(meetingEvent(`${prefix}-e1`, meetingId, start, new Date(start.getTime() + 3 * 3600_000)));
    const links = await linksOf(1);
    const linkA = links.get(`${prefix}-e1/${A.id}`) as string;
    const linkB = links.get(`${prefix}-e1/${B.id}`) as string;
    expect(new Set(links.values()).size).toBe(3);

    // The page shows this person's meeting, in Vietnamese, made for a phone.
    const page = await fetch(linkA);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const html = await page.text();
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain('Nguyễn Văn An');
    expect(html).not.toContain('Trần Thị Bích');
    expect(html).toContain('Hội nghị Ban Chấp hành');
    for (const label of ['Tham dự', 'Vắng mặt', 'Cử người dự thay']) expect(html).toContain(label);

    // Absent without a reason: refused, and the message names the field.
    const noReason = await answer(linkA, { answer: 'absent', reason: '' });
    expect(noReason.status).toBe(400);
    expect(noReason.html).toContain('Chưa có lý do vắng mặt: đề nghị ghi rõ lý do vào ô “Lý do vắng mặt”.');

    // A delegate with a bad phone: refused; with a good one: recorded.
    const badPhone = await answer(linkB, { answer: 'delegate', delegateName: 'Lê Văn Cường', delegatePhone: '12345' });
    expect(badPhone.status).toBe(400);
    expect(badPhone.html).toContain('Số điện thoại người dự thay không hợp lệ');
    const delegate = await answer(linkB, { answer: 'delegate', delegateName: 'Lê Văn Cường', delegateTitle: 'Phó Chánh Văn phòng', delegatePhone: '0905 111 222' });
    expect(delegate.status).toBe(200);
    expect(delegate.html).toContain('Đã ghi nhận ý kiến của đồng chí: Cử người dự thay: Lê Văn Cường, Phó Chánh Văn phòng, +84905111222');

    // A answers attending, then changes to absent: the latest wins.
    expect((await answer(linkA, { answer: 'attending' })).status).toBe(200);
    await waitFor(async () => (await attendance(meetingId)).json.counts?.attending === 1, { timeoutMs: 20_000, message: 'first answer projected' });
    expect((await answer(linkA, { answer: 'absent', reason: 'Đi công tác tại Hà Nội' })).status).toBe(200);

    await waitFor(
      async () => {
        const { counts } = (await attendance(meetingId)).json;
        return counts?.absent === 1 && counts.delegate === 1;
      },
      { timeoutMs: 20_000, message: 'answers projected' },
    );
    const report = await attendance(meetingId);
    expect(report.status).toBe(200);
    expect(report.json.counts).toEqual({ attending: 0, absent: 1, delegate: 1, pending: 1 });
    const people = new Map((report.json.people ?? []).map((p) => [p.personId, p]));
    expect(people.get(A.id)).toMatchObject({ answer: 'absent', reason: 'Đi công tác tại Hà Nội', channel: 'link' });
    expect(people.get(B.id)).toMatchObject({ answer: 'delegate', delegate: { name: 'Lê Văn Cường', title: 'Phó Chánh Văn phòng', phone: '+84905111222' }, channel: 'link' });
    expect(people.get(C.id)).toMatchObject({ answer: 'pending' });

    // The page now shows the recorded answer.
    expect(await (await fetch(linkA)).text()).toContain('Ý kiến đã ghi nhận: <strong>Vắng mặt (lý do: Đi công tác tại Hà Nội)</strong>');

    // Another source's key does not learn of the meeting.
    expect((await attendance(meetingId, otherViewerKey)).status).toBe(404);

    // A tampered code: a 404 page without anyone's data.
    const code = linkA.slice(-12);
    const tampered = `${linkA.slice(0, -12)}${code.slice(0, -1)}${code.endsWith('A') ? 'B' : 'A'}`;
    const bad = await fetch(tampered);
    expect(bad.status).toBe(404);
    const badHtml = await bad.text();
    expect(badHtml).toContain('Không tìm thấy đường dẫn');
    for (const leak of ['Nguyễn Văn An', 'Hội nghị', 'name="token"']) expect(badHtml).not.toContain(leak);

    // A POST without the page's form token is refused.
    const forged = await fetch(linkA, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form({ answer: 'attending', token: 'x' }) });
    expect(forged.status).toBe(403);
  });

  it('when the meeting has started, then the page says answers are closed and a late answer is refused', async () => {
    const meetingId = `${prefix}-dang-hop`;
    const start = new Date(Date.now() - 3600_000);
    await post(meetingEvent(`${prefix}-e2`, meetingId, start, new Date(Date.now() + 3600_000)));
    const links = await linksOf(2);
    const link = links.get(`${prefix}-e2/${A.id}`) as string;
    const page = await fetch(link);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Cuộc họp đã bắt đầu: việc xác nhận tham dự đã kết thúc, không thể thay đổi ý kiến.');
    expect(html).not.toContain('<form');
    const late = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form({ answer: 'attending', token: 'x' }) });
    expect([403, 409]).toContain(late.status);
  });

  it('when an invitee answers on the page, then the sending system receives it as a signed attendance.answered batch', async () => {
    const meetingId = `${prefix}-hop-callback`;
    const start = new Date(Date.now() + 2 * 24 * 3600_000);
    await post(meetingEvent(`${prefix}-e3`, meetingId, start, new Date(start.getTime() + 3 * 3600_000)));
    const link = (await linksOf(3)).get(`${prefix}-e3/${C.id}`) as string;
    expect((await answer(link, { answer: 'absent', reason: 'Trùng lịch tiếp dân' })).status).toBe(200);

    const answered = () => (receiver?.requests ?? []).flatMap((r) => (r.batch.type === 'attendance.answered' ? r.batch.answers.filter((a) => a.meetingId === meetingId).map((a) => ({ ...r, answer: a })) : []));
    await waitFor(() => answered().length > 0, { timeoutMs: 30_000, message: 'the answer posted to the callback' });
    const [got] = answered();
    expect(got?.verified).toBe(true);
    expect(got?.batch.key).toBe('lich-hop');
    expect(got?.deliveryHeader).toBe(got?.batch.id);
    expect(got?.answer).toEqual({ meetingId, personId: C.id, answer: 'absent', reason: 'Trùng lịch tiếp dân', channel: 'link', at: expect.any(String) });
  });
});
