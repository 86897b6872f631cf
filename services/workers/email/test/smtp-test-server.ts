import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: Buffer;
  user?: string;
}

/** What the server answers to one DATA (or RCPT TO): accept, reject with an SMTP reply code, or never answer. */
export type Answer = { code: number; text: string } | 'accept' | 'hang';

export interface TestSmtpServer {
  port: number;
  /** Every message the server accepted (250 after DATA). */
  accepted: ReceivedMail[];
  /** Every message body that reached DATA, accepted or not. */
  dataSeen: ReceivedMail[];
  /** Answers for the next DATA commands, in order; afterwards everything is accepted. */
  answerData(...answers: Answer[]): void;
  answerRcpt(...answers: Answer[]): void;
  /** Most connections open at the same time so far. */
  peakConnections(): number;
  close(): Promise<void>;
}

function replyError(answer: { code: number; text: string }): Error {
  const err = new Error(answer.text) as Error & { responseCode: number };
  err.responseCode = answer.code;
  return err;
}

/** A real SMTP server (smtp-server) on a loopback port, scripted per test. */
export async function startSmtpServer(options: { users?: Record<string, string> } = {}): Promise<TestSmtpServer> {
  const accepted: ReceivedMail[] = [];
  const dataSeen: ReceivedMail[] = [];
  const dataAnswers: Answer[] = [];
  const rcptAnswers: Answer[] = [];
  let open = 0;
  let peak = 0;
  const users = options.users;

  const serverOptions: Partial<SMTPServerOptions> = {
    logger: false,
    disabledCommands: users ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !users,
    allowInsecureAuth: true,
    onConnect(_session, callback) {
      open += 1;
      peak = Math.max(peak, open);
      callback();
    },
    onClose() {
      open -= 1;
    },
    onAuth(auth, _session, callback) {
      if (users && auth.username !== undefined && users[auth.username] === auth.password) {
        callback(null, { user: auth.username });
        return;
      }
      callback(new Error('Invalid username or password'));
    },
    onRcptTo(_address, _session, callback) {
      const answer = rcptAnswers.shift() ?? 'accept';
      if (answer === 'hang') return;
      callback(answer === 'accept' ? null : replyError(answer));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const mail: ReceivedMail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
          ...(typeof session.user === 'string' ? { user: session.user } : {}),
        };
        dataSeen.push(mail);
        const answer = dataAnswers.shift() ?? 'accept';
        if (answer === 'hang') return;
        if (answer === 'accept') {
          accepted.push(mail);
          callback(null, 'OK: queued');
        } else {
          callback(replyError(answer));
        }
      });
    },
  };
  const server = new SMTPServer(serverOptions);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    port: address.port,
    accepted,
    dataSeen,
    answerData: (...answers) => dataAnswers.push(...answers),
    answerRcpt: (...answers) => rcptAnswers.push(...answers),
    peakConnections: () => peak,
    close() {
      closing ??= new Promise<void>((resolve) => server.close(() => resolve()));
      return closing;
    },
  };
}
