import type { EmailMessage } from '@gateway/contracts';
import { closedPort, describeChannelSenderConformance, type SenderRig } from '@gateway/worker-core/test/support/channel-sender-conformance';
import { createSmtpSender, type SmtpSenderSettings } from '../src';
import { emailMessage, settingsFor } from './mail-fixtures';
import { startSmtpServer, type TestSmtpServer } from './smtp-test-server';

const TIMEOUT_MS = 300;

const conformanceSettings = (port: number): SmtpSenderSettings => settingsFor({ port }, { timeouts: { connectionMs: 2000, greetingMs: 2000, socketMs: TIMEOUT_MS } });

interface SmtpRig extends SenderRig<EmailMessage> {
  server: TestSmtpServer;
}

describeChannelSenderConformance<EmailMessage, SmtpRig>({
  provider: 'smtp',
  timeoutMs: TIMEOUT_MS,
  timeoutCode: 'ETIMEDOUT',
  async start() {
    const server = await startSmtpServer();
    const sender = createSmtpSender(conformanceSettings(server.port));
    return {
      server,
      sender,
      message: () => emailMessage(),
      hang: () => server.answerData('hang'),
      // A relay issues no id of its own: the message is known (and bounced) by the Message-ID it received.
      lastIssuedId: () => server.accepted[server.accepted.length - 1]?.raw.toString('utf8').match(/^Message-ID: (.*)$/im)?.[1]?.trim(),
      requestsSeen: () => server.dataSeen.length,
      unreachable: async () => ({ sender: createSmtpSender(conformanceSettings(await closedPort())), message: emailMessage() }),
      close: async () => {
        await sender.close();
        await server.close();
      },
    };
  },
  transient: [
    {
      name: '451 to DATA',
      arrange: (rig) => {
        rig.server.answerData({ code: 451, text: 'Requested action aborted: local error in processing' });
      },
      expected: { code: '451', answer: 'local error in processing' },
    },
    {
      name: '452 to RCPT TO (mailbox full)',
      arrange: (rig) => {
        rig.server.answerRcpt({ code: 452, text: 'Mailbox temporarily full' });
      },
      expected: { code: '452' },
    },
  ],
  permanent: [
    {
      name: '550 to DATA',
      arrange: (rig) => {
        rig.server.answerData({ code: 550, text: 'Message rejected: content policy' });
      },
      expected: { code: '550', answer: 'content policy' },
      after: (rig) => expect(rig.server.accepted).toHaveLength(0),
    },
    {
      name: '550 to RCPT TO (no such user)',
      arrange: (rig) => {
        rig.server.answerRcpt({ code: 550, text: 'No such user here' });
      },
      expected: { code: '550', answer: 'No such user' },
    },
  ],
  undeliverable: { name: 'the recipient has no email address', message: () => emailMessage({ recipient: { id: 'p', name: 'Trần Thị Bình' } }), code: 'no-address' },
});
