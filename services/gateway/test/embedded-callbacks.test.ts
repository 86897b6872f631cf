import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPICS, statusEventsOf, type AttendanceAnswered, type DeliveryStatus } from '@gateway/contracts';
import { createLogger, hashKey, setKeyCallback } from '@gateway/common';
import { loadOperatorSettings, startOperator, type RunningOperator } from '@gateway/operator';
import { startCallbackReceiver, type CallbackReceiver } from '@gateway/operator/test/callback-receiver';
import { waitFor } from '@gateway/tests/support/infra';
import { createEmbeddedInfra } from '../src/embedded-infra';

describe('status and attendance callbacks in the embedded mode (in-process bus and stores)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-embedded-callbacks-'));
  const keysFile = join(dir, 'keys.json');
  let secret = '';
  let receiver: CallbackReceiver;
  let operator: RunningOperator;
  const infra = createEmbeddedInfra();

  beforeAll(async () => {
    receiver = await startCallbackReceiver(() => secret);
    writeFileSync(keysFile, JSON.stringify({ keys: [{ name: 'he-thong-hop', sha256: hashKey('k'), scopes: ['events:write'], sources: ['vpthanhuy-lichhop'] }] }));
    secret = setKeyCallback(keysFile, 'he-thong-hop', { url: receiver.url }).secret ?? '';
    const settings = loadOperatorSettings({ KAFKA_BROKERS: 'in-process:0', REDIS_URL: 'redis://in-process', GATEWAY_KEYS_FILE: keysFile, OPERATOR_PORT: '0', CALLBACK_ALLOW_HTTP: 'true', CALLBACK_BATCH_WAIT_MS: '20', LOG_LEVEL: 'silent', ATTENDANCE_LINK_SECRET: 'embedded-test-secret-of-enough-length-0123' });
    operator = await startOperator(settings, { bus: infra.bus, stores: infra.operator, logger: createLogger({ name: 'operator', level: 'silent' }) });
  });

  afterAll(async () => {
    await receiver?.close();
    await operator?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when a message of the key\'s source is sent and delivered, then the receiver gets both states, signed, and not the internal one', async () => {
    const base = { messageId: 'm-embedded-1', eventId: 'hop-1', channel: 'sms' as const };
    const statuses: DeliveryStatus[] = [
      { ...base, status: 'rendered', at: '2026-12-02T01:00:00Z', summary: { recipient: { id: 'nguyen-van-an', name: 'Nguyễn Văn An' }, eventType: 'meeting.scheduled', source: 'vpthanhuy-lichhop' } },
      { ...base, status: 'sent', at: '2026-12-02T01:00:01Z' },
      { ...base, status: 'delivered', at: '2026-12-02T01:00:02Z' },
    ];
    const publisher = infra.bus.publisher();
    await publisher.connect();
    await publisher.publish(statuses.map((s) => ({ topic: TOPICS.status, key: s.messageId, value: JSON.stringify(s) })));
    await publisher.disconnect();
    await waitFor(() => receiver.processed.flatMap((b) => statusEventsOf(b)).length >= 2, { message: 'two states processed' });
    expect(receiver.requests.every((r) => r.verified)).toBe(true);
    expect(receiver.processed.flatMap((b) => statusEventsOf(b)).map((e) => [e.status, e.recipientId])).toEqual([['sent', 'nguyen-van-an'], ['delivered', 'nguyen-van-an']]);
  });

  it('when an attendance answer of the key\'s source is published, then the receiver gets it as a signed attendance.answered batch', async () => {
    const answer: AttendanceAnswered = { type: 'attendance.answered', source: 'vpthanhuy-lichhop', meetingId: 'hop-embedded', personId: 'nguyen-van-an', answer: 'delegate', delegate: { name: 'Lê Văn Cường' }, channel: 'link', at: '2026-12-02T01:00:03Z' };
    const other: AttendanceAnswered = { ...answer, source: 'ubnd-lichhop', personId: 'tran-thi-bich' };
    const publisher = infra.bus.publisher();
    await publisher.connect();
    await publisher.publish([answer, other].map((a) => ({ topic: TOPICS.attendance, key: `${a.source}:${a.meetingId}`, value: JSON.stringify(a) })));
    await publisher.disconnect();
    const answers = () => receiver.requests.flatMap((r) => (r.batch.type === 'attendance.answered' ? [r] : []));
    await waitFor(() => answers().length > 0, { message: 'the answer posted' });
    expect(answers().every((r) => r.verified)).toBe(true);
    expect(answers().flatMap((r) => (r.batch.type === 'attendance.answered' ? r.batch.answers : []))).toEqual([{ meetingId: 'hop-embedded', personId: 'nguyen-van-an', answer: 'delegate', delegate: { name: 'Lê Văn Cường' }, channel: 'link', at: '2026-12-02T01:00:03Z' }]);
  });
});
