import { channelMessageSchema, type SmsMessage } from '@gateway/contracts';
import { smsMessage } from '@gateway/worker-core/test/support/kafka';
import { startLoopbackEsms, type LoopbackEsms } from '../../test/support/loopback-providers';
import { ESMS_CREDENTIALS } from '../../test/support/harness';
import { classifyEsmsResult, EsmsSmsSender, toEsmsPhone, toRequestId } from './esms';

describe('eSMS result codes', () => {
  it.each([
    ['100', 'accepted'],
    ['124', 'accepted'],
    ['99', 'transient'],
    ['101', 'transient'],
    ['102', 'transient'],
    ['103', 'transient'],
    ['104', 'transient'],
    ['118', 'transient'],
    ['119', 'permanent'],
    ['131', 'permanent'],
    ['132', 'permanent'],
    ['145', 'permanent'],
    ['146', 'permanent'],
    ['159', 'permanent'],
    ['177', 'permanent'],
    ['12345', 'transient'],
  ] as const)('CodeResult %s is %s', (code, expected) => {
    expect(classifyEsmsResult(code)).toBe(expected);
  });
});

describe('eSMS request fields', () => {
  it('when the number is Vietnamese, then it is sent in national form; other countries are refused', () => {
    expect(toEsmsPhone('+84905123456')).toBe('0905123456');
    expect(toEsmsPhone('+842363822123')).toBe('02363822123');
    expect(toEsmsPhone('+14155550100')).toBeUndefined();
  });

  it('when the message id fits, then it is the RequestId; a longer one becomes a stable digest of at most 50 characters', () => {
    expect(toRequestId('evt-1:sms:nguyen-van-an')).toBe('evt-1:sms:nguyen-van-an');
    const long = `${'x'.repeat(120)}:sms:person`;
    expect(toRequestId(long)).toBe(toRequestId(long));
    expect(toRequestId(long).length).toBeLessThanOrEqual(50);
    expect(toRequestId(long)).not.toBe(toRequestId(`${long}2`));
  });
});

describe('eSMS adapter against a loopback eSMS', () => {
  let server: LoopbackEsms;
  const message = channelMessageSchema.parse(smsMessage('esms-unit', 3)) as SmsMessage;
  const sender = (extra: Partial<ConstructorParameters<typeof EsmsSmsSender>[0]> = {}) =>
    new EsmsSmsSender({ ...ESMS_CREDENTIALS, brandname: 'THANHUY-DN', baseUrl: server.url, timeoutMs: 2000, ...extra });

  beforeAll(async () => {
    server = await startLoopbackEsms(ESMS_CREDENTIALS);
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.answer = () => ({ kind: 'accept' });
  });

  it('when eSMS accepts, then the result has its SMSID; the request carried the national number, the brandname, IsUnicode for UCS-2 and our id as RequestId', async () => {
    const result = await sender().send(message);
    expect(result).toMatchObject({ provider: 'esms', providerMessageId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(server.requests[server.requests.length - 1]).toMatchObject({ messageId: message.id, to: `0${message.recipient.phone?.slice(3)}`, from: 'THANHUY-DN', unicode: true, body: message.text });
    await sender().send({ ...message, id: `${message.id}-gsm`, encoding: 'GSM-7', text: 'Kinh moi dong chi du hop' });
    expect(server.requests[server.requests.length - 1]?.unicode).toBe(false);
  });

  it('when the same message is sent again (a crash after the provider accepted), then eSMS recognises the RequestId and nothing goes out twice', async () => {
    const again = { ...message, id: `${message.id}-again` };
    const first = await sender().send(again);
    const second = await sender().send(again);
    expect(second.providerMessageId).toBe(first.providerMessageId);
    expect(server.acceptedCount(again.id)).toBe(1);
    expect(server.requestCount(again.id)).toBe(2);
  });

  it('when the brandname is longer than 11 characters, then the adapter refuses to build', () => {
    expect(() => sender({ brandname: 'VANPHONGTHANHUY' })).toThrow(/11/);
  });
});
