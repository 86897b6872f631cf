import { channelMessageSchema, type SmsMessage } from '@gateway/contracts';
import { describeChannelSenderConformance, type SenderRig } from '@gateway/worker-core/test/support/channel-sender-conformance';
import { smsMessage } from '@gateway/worker-core/test/support/kafka';
import { EsmsSmsSender, type EsmsSenderOptions } from '../src/adapters/esms';
import { TwilioSmsSender, type TwilioSenderOptions } from '../src/adapters/twilio';
import { ESMS_CREDENTIALS } from './support/harness';
import { startLoopbackEsms, startLoopbackTwilio, twilioAccount, type LoopbackEsms, type LoopbackTwilio } from './support/loopback-providers';

const TIMEOUT_MS = 300;

interface SmsRig<S> extends SenderRig<SmsMessage> {
  server: S;
  with(extra: Partial<TwilioSenderOptions & EsmsSenderOptions>): TwilioSmsSender | EsmsSmsSender;
}

let sequence = 0;
const nextMessage = (prefix: string): SmsMessage => channelMessageSchema.parse(smsMessage(prefix, (sequence += 1))) as SmsMessage;

function rigOf<S extends LoopbackTwilio | LoopbackEsms>(server: S, prefix: string, build: (extra: Partial<TwilioSenderOptions & EsmsSenderOptions>) => TwilioSmsSender | EsmsSmsSender, restart: () => Promise<S>): SmsRig<S> {
  return {
    server,
    sender: build({}),
    with: build,
    message: () => nextMessage(prefix),
    hang: () => {
      server.answer = () => ({ kind: 'silence' });
    },
    lastIssuedId: () => server.accepted[server.accepted.length - 1]?.providerMessageId,
    requestsSeen: () => server.requests.length,
    unreachable: async () => {
      const gone = await restart();
      await gone.close();
      return { sender: build({ baseUrl: gone.url }), message: nextMessage(prefix) };
    },
    close: () => server.close(),
  };
}

const account = twilioAccount();

describeChannelSenderConformance<SmsMessage, SmsRig<LoopbackTwilio>>({
  provider: 'twilio',
  timeoutMs: TIMEOUT_MS,
  timeoutCode: 'TIMEOUT',
  async start() {
    const server = await startLoopbackTwilio([account]);
    const build = (extra: Partial<TwilioSenderOptions>) =>
      new TwilioSmsSender({ accountSid: account.sid, authToken: account.token, from: '+15005550006', baseUrl: server.url, statusCallbackUrl: 'https://gw.example.gov.vn/v1/callbacks/twilio', timeoutMs: TIMEOUT_MS, ...extra });
    return rigOf(server, 'twilio-conformance', build, () => startLoopbackTwilio([account]));
  },
  transient: [
    {
      name: 'HTTP 429 with Retry-After',
      arrange: (rig) => {
        rig.server.answer = () => ({ kind: 'error', status: 429, code: 20429, message: 'Too Many Requests', retryAfterSeconds: 7 });
      },
      expected: { code: '20429', retryAfterMs: 7000 },
    },
    {
      name: 'HTTP 503',
      arrange: (rig) => {
        rig.server.answer = () => ({ kind: 'error', status: 503, code: 20503, message: 'Service Unavailable' });
      },
      expected: { code: '20503' },
    },
    {
      name: 'nothing, dropping the connection',
      arrange: (rig) => {
        rig.server.answer = () => ({ kind: 'hang-up' });
      },
      expected: { code: 'ECONNRESET' },
    },
  ],
  permanent: [
    {
      name: '21211 (invalid To)',
      arrange: (rig) => {
        rig.server.answer = () => ({ kind: 'error', status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
      },
      expected: { code: '21211', answer: 'not a valid phone number', reason: "invalid 'To' phone number" },
    },
    {
      name: '401 to wrong credentials',
      sender: (rig) => rig.with({ authToken: 'wrong-token-wrong-token' }),
      expected: { code: '20003' },
    },
  ],
  undeliverable: { name: 'the recipient has no phone', message: (rig) => ({ ...rig.message(), recipient: { id: 'x', name: 'Không có số' } }), code: 'NO_PHONE' },
});

describeChannelSenderConformance<SmsMessage, SmsRig<LoopbackEsms>>({
  provider: 'esms',
  timeoutMs: TIMEOUT_MS,
  timeoutCode: 'TIMEOUT',
  async start() {
    const server = await startLoopbackEsms(ESMS_CREDENTIALS);
    const build = (extra: Partial<EsmsSenderOptions>) => new EsmsSmsSender({ ...ESMS_CREDENTIALS, brandname: 'THANHUY-DN', baseUrl: server.url, timeoutMs: TIMEOUT_MS, ...extra });
    return rigOf(server, 'esms-conformance', build, () => startLoopbackEsms(ESMS_CREDENTIALS));
  },
  transient: [
    {
      name: 'HTTP 503 with Retry-After (overloaded)',
      arrange: (rig) => {
        rig.server.answer = () => ({ kind: 'error', status: 503, message: 'busy', retryAfterSeconds: 3 });
      },
      expected: { code: 'HTTP_503', retryAfterMs: 3000 },
    },
    {
      name: 'CodeResult 99 (unknown error)',
      arrange: (rig) => {
        rig.server.answer = () => ({ kind: 'error', status: 200, code: '99' });
      },
      expected: { code: '99' },
    },
    {
      // No message is at fault, and failover can take over.
      name: 'CodeResult 101 to wrong account credentials',
      sender: (rig) => rig.with({ secretKey: 'wrong' }),
      expected: { code: '101' },
    },
    {
      name: 'nothing, dropping the connection',
      arrange: (rig) => {
        rig.server.answer = () => ({ kind: 'hang-up' });
      },
      expected: { code: 'UND_ERR_SOCKET' },
    },
  ],
  permanent: [
    {
      name: 'CodeResult 146 (template mismatch)',
      arrange: (rig) => {
        rig.server.answer = () => ({ kind: 'error', status: 200, code: '146', message: 'Sai template Brandname CSKH' });
      },
      expected: { code: '146', answer: '146' },
    },
  ],
  undeliverable: { name: 'the number is not Vietnamese', message: (rig) => { const m = rig.message(); return { ...m, recipient: { ...m.recipient, phone: '+14155550100' } }; }, code: 'NOT_DOMESTIC' },
});
