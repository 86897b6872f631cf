import { channelMessageSchema, type SmsMessage } from '@gateway/contracts';
import { smsMessage } from '@gateway/worker-core/test/support/kafka';
import { startLoopbackTwilio, twilioAccount, type LoopbackTwilio } from '../../test/support/loopback-providers';
import { classifyTwilioError, formEncode, TwilioSmsSender } from './twilio';

describe('Twilio error classification', () => {
  it.each([
    [429, '20429', 'transient'],
    [500, '20500', 'transient'],
    [502, undefined, 'transient'],
    [503, '20503', 'transient'],
    [408, undefined, 'transient'],
    [400, '21211', 'permanent'],
    [400, '21610', 'permanent'],
    [400, '21614', 'permanent'],
    [400, '21408', 'permanent'],
    [400, '21617', 'permanent'],
    [400, '99999', 'permanent'],
    [401, '20003', 'permanent'],
    [404, '20404', 'permanent'],
  ] as const)('HTTP %i with code %s is %s', (status, code, expected) => {
    expect(classifyTwilioError(status, code)).toBe(expected);
  });
});

describe('Twilio form encoding (as twilio-node encodes with qs, arrayFormat "repeat")', () => {
  it('repeats a key for each array item, keeps Vietnamese text, and leaves out undefined and null', () => {
    const form = new URLSearchParams(formEncode({ To: '+84905123456', Body: 'Giấy mời họp & dự', MediaUrl: ['https://a.example/1', 'https://a.example/2'], From: undefined, StatusCallback: null }));
    expect(form.getAll('MediaUrl')).toEqual(['https://a.example/1', 'https://a.example/2']);
    expect(form.get('Body')).toBe('Giấy mời họp & dự');
    expect(form.get('To')).toBe('+84905123456');
    expect(form.has('From')).toBe(false);
    expect(form.has('StatusCallback')).toBe(false);
  });
});

describe('Twilio adapter against a loopback Messages API', () => {
  let server: LoopbackTwilio;
  const account = twilioAccount();
  const message = channelMessageSchema.parse(smsMessage('twilio-unit', 7)) as SmsMessage;
  const sender = (extra: Partial<ConstructorParameters<typeof TwilioSmsSender>[0]> = {}) =>
    new TwilioSmsSender({ accountSid: account.sid, authToken: account.token, from: '+15005550006', baseUrl: server.url, statusCallbackUrl: 'https://gw.example.gov.vn/v1/callbacks/twilio', timeoutMs: 2000, ...extra });

  beforeAll(async () => {
    server = await startLoopbackTwilio([account]);
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.answer = () => ({ kind: 'accept' });
  });

  it('when Twilio accepts, then the result carries the SM sid, and the request had To, From, Body and a StatusCallback naming our message', async () => {
    const result = await sender().send(message);
    expect(result).toMatchObject({ provider: 'twilio', providerMessageId: expect.stringMatching(/^SM[0-9a-f]{32}$/) });
    const request = server.requests[server.requests.length - 1];
    expect(request).toMatchObject({ to: message.recipient.phone, from: '+15005550006', body: message.text, messageId: message.id });
    expect(new URL(request?.statusCallback ?? '').searchParams.get('eventId')).toBe(message.eventId);
  });

  it('when the same sender sends many messages, then it reuses keep-alive connections (one socket per concurrent request, not one per message)', async () => {
    const before = server.connections();
    const s = sender();
    for (let i = 0; i < 20; i++) await s.send(message);
    expect(server.connections() - before).toBe(1);
  });

  it('when it is built with bad settings, then it refuses', () => {
    expect(() => new TwilioSmsSender({ accountSid: 'AC123', authToken: 't', from: '+1' })).toThrow(/accountSid/);
    expect(() => new TwilioSmsSender({ accountSid: account.sid, authToken: 't' })).toThrow(/exactly one/);
  });
});
