import { channelMessageSchema, deadLetterSchema, deliveryStatusSchema, failedRecordSchema, FINAL_DELIVERY_STATES } from './messages';
import { parseContract } from './parse';

const common = {
  id: 'vptu-lichhop-2025-0512-1:nguyen-van-an:sms',
  eventId: 'vptu-lichhop-2025-0512-1',
  eventType: 'meeting.scheduled',
  correlationId: 'vptu-lichhop-2025-0512-1',
  createdAt: '2025-09-25T15:30:02+07:00',
  urgency: 'khan',
  recipient: { id: 'nguyen-van-an', name: 'Nguyễn Văn An', phone: '+84905123456', email: 'nvan@danang.gov.vn' },
};

describe('channel messages', () => {
  it('when an SMS message is parsed, then attempt defaults to 1', () => {
    const result = parseContract(channelMessageSchema, {
      ...common,
      channel: 'sms',
      text: 'Thanh uy moi dong chi du Hoi nghi BCH lan 3, 08h00 Thu Hai 29/9/2025.',
      encoding: 'GSM-7',
      segments: 1,
      diacritics: 'strip',
    });
    expect(result).toMatchObject({ ok: true, value: { channel: 'sms', attempt: 1 } });
  });

  it('when an email carries a calendar part, then its method, uid and sequence are checked', () => {
    const email = {
      ...common,
      id: 'm-email-1',
      channel: 'email',
      subject: 'Giấy mời: Hội nghị Ban Chấp hành Đảng bộ thành phố lần thứ 3',
      html: '<p>Kính mời đồng chí…</p>',
      text: 'Kính mời đồng chí…',
      calendar: { method: 'PUBLISH', uid: 'vptu-hop-2025-0512@gateway', sequence: -1, ics: 'BEGIN:VCALENDAR' },
    };
    const result = parseContract(channelMessageSchema, email);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.path)).toEqual(['calendar.method', 'calendar.sequence']);
  });

  it('when push and in-app messages are parsed, then a resend keeps the id it replaces', () => {
    for (const channel of ['push', 'inapp'] as const) {
      const result = parseContract(channelMessageSchema, {
        ...common,
        id: `m-${channel}-2`,
        resendOf: `m-${channel}-1`,
        attempt: 1,
        channel,
        title: 'Giấy mời họp',
        body: 'Hội nghị BCH lần 3, 08:00 Thứ Hai 29/9/2025',
        url: 'https://vanban.danang.gov.vn/hop/vptu-hop-2025-0512',
      });
      expect(result).toMatchObject({ ok: true, value: { channel, resendOf: `m-${channel}-1` } });
    }
  });

  it('when the channel is unknown or a payload field belongs to another channel, then it is refused', () => {
    expect(parseContract(channelMessageSchema, { ...common, channel: 'zalo' }).ok).toBe(false);
    const result = parseContract(channelMessageSchema, { ...common, channel: 'push', title: 't', body: 'b', subject: 's' });
    expect(result).toEqual({ ok: false, issues: [{ path: 'subject', message: 'unknown field' }] });
  });

  it('when a recipient phone is not E.164, then it is refused (normalization happens at intake)', () => {
    const result = parseContract(channelMessageSchema, {
      ...common,
      recipient: { ...common.recipient, phone: '0905123456' },
      channel: 'inapp',
      title: 't',
      body: 'b',
    });
    expect(result).toEqual({
      ok: false,
      issues: [{ path: 'recipient.phone', message: 'must be an E.164 phone number, e.g. +84905123456' }],
    });
  });
});

describe('delivery status and dead letters', () => {
  it('when a retrying status is parsed, then its error class and next attempt are kept', () => {
    const status = {
      messageId: 'm-sms-1',
      eventId: 'vptu-lichhop-2025-0512-1',
      channel: 'sms',
      status: 'retrying',
      at: '2025-09-25T15:30:05+07:00',
      attempt: 2,
      provider: 'esms',
      error: { class: 'transient', code: '429', message: 'rate limited' },
      nextAttemptAt: '2025-09-25T15:30:35+07:00',
    };
    expect(parseContract(deliveryStatusSchema, status)).toEqual({ ok: true, value: status });
  });

  it('when a first status carries a recipient summary and a resend link, then they are kept, and an unknown summary field is refused', () => {
    const status = {
      messageId: 'm-sms-2',
      eventId: 'vptu-lichhop-2025-0512-1',
      channel: 'sms',
      status: 'rendered',
      at: '2025-09-25T15:30:05+07:00',
      summary: { recipient: { id: 'nguyen-van-an', name: 'Nguyễn Văn An', phone: '+84905123456' }, eventType: 'meeting.scheduled', source: 'vpthanhuy-danang', urgency: 'hoa-toc' },
      resendOf: 'm-sms-1',
    };
    expect(parseContract(deliveryStatusSchema, status)).toEqual({ ok: true, value: status });
    const wrong = parseContract(deliveryStatusSchema, { ...status, summary: { ...status.summary, title: 'x' } });
    expect(wrong.ok).toBe(false);
  });

  it('when a status is not one of the known states, then it is refused', () => {
    const result = parseContract(deliveryStatusSchema, {
      messageId: 'm',
      eventId: 'e',
      channel: 'sms',
      status: 'lost',
      at: '2025-09-25T15:30:05+07:00',
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]?.path).toBe('status');
  });

  it('when the final states are listed, then retrying and sending are not among them', () => {
    expect(FINAL_DELIVERY_STATES.has('retrying')).toBe(false);
    expect(FINAL_DELIVERY_STATES.has('sending')).toBe(false);
    expect(FINAL_DELIVERY_STATES.has('dead')).toBe(true);
  });

  it('when a dead letter records an unparsable message, then value, reason and issues are kept', () => {
    const letter = {
      sourceTopic: 'gateway.events.v1',
      partition: 3,
      offset: '18446744073709551615',
      key: null,
      value: '{"type":"meeting.scheduled"',
      reason: 'invalid JSON',
      issues: [{ path: '(root)', message: 'could not be read as JSON data' }],
      service: 'renderer',
      at: '2025-09-25T15:31:00+07:00',
    };
    expect(parseContract(deadLetterSchema, letter)).toEqual({ ok: true, value: letter });
    expect(parseContract(deadLetterSchema, { ...letter, offset: -1 }).ok).toBe(false);
  });
});

describe('failed records', () => {
  const message = channelMessageSchema.parse({ ...common, channel: 'sms', text: 'Kinh moi dong chi du hop.', encoding: 'GSM-7', segments: 1, diacritics: 'strip' });
  const record = {
    messageId: message.id,
    eventId: message.eventId,
    channel: 'sms',
    recipient: message.recipient,
    state: 'failed',
    reason: 'permanent error from twilio: invalid To',
    errorClass: 'permanent',
    code: '21211',
    provider: 'twilio',
    attempts: 1,
    at: '2025-09-29T01:00:00.000Z',
    message,
  };

  it('when a record a worker wrote is read back, then it parses to itself', () => {
    expect(parseContract(failedRecordSchema, JSON.parse(JSON.stringify(record)))).toEqual({ ok: true, value: record });
  });

  it('when a record has an unknown state or its message is not a channel message, then it is refused naming the field', () => {
    const state = parseContract(failedRecordSchema, { ...record, state: 'lost' });
    expect(state.ok).toBe(false);
    if (!state.ok) expect(state.issues.map((i) => i.path)).toEqual(['state']);
    const inner = parseContract(failedRecordSchema, { ...record, message: { ...message, segments: 0 } });
    expect(inner.ok).toBe(false);
    if (!inner.ok) expect(inner.issues.map((i) => i.path)).toEqual(['message.segments']);
  });
});
