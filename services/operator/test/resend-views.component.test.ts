import type { ChannelMessage, ChannelMessageInput, DeliveryStatus } from '@gateway/contracts';
import { createRedisLedger, type FailedRecord } from '@gateway/delivery-ledger';
import { kafkaBrokers, readAllMessages, waitFor } from '@gateway/tests/support/infra';
import { smsMessage } from '@gateway/worker-core/test/support/kafka';
import { operatorBed, produceRendered, type client, type OperatorBed } from './support';

jest.setTimeout(90_000);

const UNFINISHED = 'rendered,queued,sending,retrying,failed,dead,undelivered';

describe('after a resend was delivered, every view agrees (real Kafka and Redis)', () => {
  let bed: OperatorBed;
  let eventId = '';
  let original: ChannelMessageInput;
  let resentId = '';
  const call: ReturnType<typeof client> = (...args) => bed.call(...args);
  const viewer = () => bed.keys.viewer;
  const send = (statuses: DeliveryStatus[]) => bed.producer.publish(statuses.map((s) => ({ topic: bed.topics.status, key: s.messageId, value: JSON.stringify(s) })));

  beforeAll(async () => {
    bed = await operatorBed('opviews', (t) => [t.status, t.sms, t.email, t.push, t.inapp, t.deadLetter]);
    eventId = `${bed.prefix}-hop`;
    original = smsMessage(bed.prefix, 1, { eventId, urgency: 'khan', recipient: { id: 'nguyen-van-an', name: 'Nguyễn Văn An', phone: '+84900000001' } });
    // The SMS worker's record of a wrong number, and its statuses.
    const at = new Date(Date.now() - 10_000).toISOString();
    const record: FailedRecord = { messageId: original.id, eventId, channel: 'sms', recipient: original.recipient, state: 'failed', reason: 'permanent error from twilio: 21211', errorClass: 'permanent', code: '21211', provider: 'twilio', attempts: 1, at, message: original as ChannelMessage };
    await createRedisLedger(bed.redis, { prefix: `${bed.prefix}:` }).forWorker({ leaseMs: 1000, waitMs: 0, doneTtlMs: 600_000, owner: 'test', failedRecordTtlMs: 600_000 }).recordFailure(record);
    await produceRendered(bed.producer, bed.topics, [original]);
    await send([{ messageId: original.id, eventId, channel: 'sms', status: 'failed', attempt: 1, at, provider: 'twilio', error: { class: 'permanent', code: '21211', message: 'invalid To' } }]);
    await waitFor(async () => (await call('GET', `/v1/notifications/${original.id}`, viewer())).json.status === 'failed', { timeoutMs: 30_000, message: 'the failed SMS projected' });
  });

  afterAll(async () => {
    await bed?.stop();
  });

  it('when a corrected SMS resend is on the channel topic, then it goes to the corrected number and its text names no number at all', async () => {
    const resent = await call('POST', `/v1/notifications/${original.id}/resend`, bed.keys.operator, { phone: '0905 123 456', requestId: 'fix-an' });
    expect(resent.status).toBe(202);
    resentId = String(resent.json.messageId);
    const [message] = (await readAllMessages(kafkaBrokers(), bed.topics.sms, { expected: 1, timeoutMs: 15_000 })).map((m) => JSON.parse(m.value) as ChannelMessage);
    expect(message).toMatchObject({ id: resentId, resendOf: original.id, recipient: { phone: '+84905123456' } });
    const body = message?.channel === 'sms' ? message.text : '';
    for (const form of ['0900000001', '84900000001', '900000001', '0905123456', '905123456']) expect([form, body.replace(/[\s.+-]/g, '').includes(form)]).toEqual([form, false]);
  });

  it('when the resend was delivered, then the detail, the list, the overview and the event report say the original was reached and offer no resend', async () => {
    const at = Date.now();
    await send([
      { messageId: resentId, eventId, channel: 'sms', status: 'sending', attempt: 1, at: new Date(at).toISOString() },
      { messageId: resentId, eventId, channel: 'sms', status: 'sent', attempt: 1, provider: 'twilio', at: new Date(at + 1).toISOString() },
      { messageId: resentId, eventId, channel: 'sms', status: 'delivered', attempt: 1, provider: 'twilio', at: new Date(at + 2).toISOString() },
    ]);
    await waitFor(async () => (await call('GET', `/v1/notifications/${resentId}`, viewer())).json.status === 'delivered', { timeoutMs: 30_000, message: 'the resend projected as delivered' });

    const detail = await call('GET', `/v1/notifications/${original.id}`, viewer());
    expect(detail.json).toMatchObject({ status: 'failed', resendable: false, resentAs: { messageId: resentId, status: 'delivered' }, resends: [expect.objectContaining({ messageId: resentId, status: 'delivered' })] });
    expect((await call('POST', `/v1/notifications/${original.id}/resend`, bed.keys.operator, {})).status).toBe(409);
    const resendDetail = await call('GET', `/v1/notifications/${resentId}`, viewer());
    expect(resendDetail.json).toMatchObject({ status: 'delivered', resendOf: original.id, resendable: false, resends: [] });
    expect(resendDetail.json.resentAs).toBeUndefined();

    // The list: one row per chain, the delivered resend; every attempt on request.
    const failed = await call('GET', `/v1/notifications?eventId=${eventId}&status=failed,dead,undelivered`, viewer());
    expect(failed.json.total).toBe(0);
    const everything = await call('GET', `/v1/notifications?eventId=${eventId}&attempts=all`, viewer());
    expect(everything.json.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ messageId: original.id, status: 'failed', resendable: false, resentAs: { messageId: resentId, status: 'delivered' } }),
        expect.objectContaining({ messageId: resentId, status: 'delivered', resendable: false, resendOf: original.id }),
      ]),
    );
    const latest = await call('GET', `/v1/notifications?eventId=${eventId}`, viewer());
    expect(latest.json.items?.map((i) => i.messageId)).toEqual([resentId]);

    // The overview's "urgent, not reached yet".
    const urgent = await call('GET', `/v1/notifications?status=${UNFINISHED}&urgency=hoa-toc,thuong-khan,khan&eventId=${eventId}&sort=updatedAt&pageSize=10`, viewer());
    expect(urgent.json.items).toEqual([]);

    const report = await call('GET', `/v1/events/${eventId}/report`, viewer());
    expect(report.json).toMatchObject({ total: 1, counts: { delivered: 1, failed: 0 }, unreached: [] });
    const person = (report.json.recipients as Array<{ id: string; reached: boolean; channels: Array<Record<string, unknown>> }>).find((p) => p.id === 'nguyen-van-an');
    expect(person).toMatchObject({ reached: true });
    expect(person?.channels).toEqual([
      expect.objectContaining({ messageId: original.id, status: 'failed', resendable: false, resentAs: { messageId: resentId, status: 'delivered' } }),
      expect.objectContaining({ messageId: resentId, status: 'delivered', resendOf: original.id, resendable: false }),
    ]);
  });
});
