import { generateKeyPairSync } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { sync as ical, type VEvent } from 'node-ical';
import { ProviderError } from '@gateway/worker-core';
import { createSmtpSender, type SmtpSender } from '../src';
import { checkDkim } from './dkim-verify';
import { emailMessage, ICS, settingsFor, SUBJECT, TEXT, UID } from './mail-fixtures';
import { startSmtpServer, type TestSmtpServer } from './smtp-test-server';

async function expectProviderError(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ProviderError);
    return err as ProviderError;
  }
  throw new Error('expected the send to fail');
}

describe('SMTP sender against a real SMTP server', () => {
  let server: TestSmtpServer;
  let sender: SmtpSender;

  beforeEach(async () => {
    server = await startSmtpServer();
    sender = createSmtpSender(settingsFor(server));
  });

  afterEach(async () => {
    await sender.close();
    await server.close();
  });

  it('when the server answers 451 to the first DATA, then that send is transient and the retry delivers exactly one mail with the same Message-ID', async () => {
    server.answerData({ code: 451, text: 'Requested action aborted: local error in processing' });
    const message = emailMessage();

    const failure = await expectProviderError(sender.send(message));
    expect(failure.errorClass).toBe('transient');
    expect(failure.retriable).toBe(true);
    expect(failure.details).toMatchObject({ provider: 'smtp', code: '451' });
    expect(failure.details.answer).toContain('local error in processing');

    const result = await sender.send({ ...message, attempt: 2 });
    expect(result).toEqual({ provider: 'smtp', providerMessageId: `<${message.id}@thongbao.danang.gov.vn>` });
    expect(server.accepted).toHaveLength(1);
    const [first, second] = await Promise.all(server.dataSeen.map((m) => simpleParser(m.raw)));
    expect(second?.messageId).toBe(first?.messageId);
  });

  it('when a mail is received and parsed back, then the Vietnamese subject and body, the HTML and text parts, the calendar invitation and the gateway headers are intact', async () => {
    const message = emailMessage();
    await sender.send(message);
    expect(server.accepted).toHaveLength(1);
    const received = server.accepted[0];
    if (!received) throw new Error('no mail');
    expect(received.to).toEqual(['nvan@danang.gov.vn']);
    expect(received.from).toBe('thongbao@danang.gov.vn');

    const mail = await simpleParser(received.raw);
    expect(mail.subject).toBe(SUBJECT);
    expect(mail.text?.trim()).toBe(TEXT);
    expect(mail.html).toContain('Kính gửi đồng chí <strong>Nguyễn Văn An</strong>');
    expect(mail.messageId).toBe(`<${message.id}@thongbao.danang.gov.vn>`);
    expect(mail.headers.get('x-gateway-message-id')).toBe(message.id);
    expect(mail.headers.get('x-gateway-event-id')).toBe('evt-512-gm-tu');
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail.date?.toISOString()).toBe('2025-09-25T08:30:00.000Z');
    const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
    expect(to?.value[0]).toEqual({ name: 'Nguyễn Văn An', address: 'nvan@danang.gov.vn' });
    const from = Array.isArray(mail.from) ? mail.from[0] : mail.from;
    expect(from?.value[0]).toEqual({ name: 'Văn phòng Thành ủy Đà Nẵng', address: 'thongbao@danang.gov.vn' });

    // The calendar alternative is what Outlook, Gmail and Thunderbird turn into accept/decline.
    const raw = received.raw.toString('utf8');
    expect(raw).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=REQUEST/i);
    expect(raw).toMatch(/Content-Type: application\/ics; name=invite\.ics/i);
    const calendar = mail.attachments.find((a) => a.contentType === 'text/calendar');
    expect(calendar).toBeDefined();
    const ics = calendar?.content.toString('utf8') ?? '';
    expect(ics).toBe(ICS);
    const events = Object.values(ical.parseICS(ics)).filter((c): c is VEvent => c?.type === 'VEVENT');
    expect(events).toHaveLength(1);
    expect(events[0]?.uid).toBe(UID);
    expect(events[0]?.summary).toBe('Hội nghị Ban Chấp hành Đảng bộ thành phố lần thứ 3');
  });

  it('when a message has no calendar part, then the mail has none', async () => {
    await sender.send(emailMessage({ calendar: undefined }));
    const mail = await simpleParser(server.accepted[0]?.raw ?? Buffer.alloc(0));
    expect(mail.attachments).toHaveLength(0);
    expect(server.accepted[0]?.raw.toString('utf8')).not.toMatch(/text\/calendar/i);
  });

  it('when a cancellation is sent, then the calendar part says method=CANCEL', async () => {
    const cancel = ICS.replace('METHOD:REQUEST', 'METHOD:CANCEL').replace('STATUS:CONFIRMED', 'STATUS:CANCELLED').replace('SEQUENCE:0', 'SEQUENCE:1');
    await sender.send(emailMessage({ eventType: 'meeting.cancelled', calendar: { method: 'CANCEL', uid: UID, sequence: 1, ics: cancel } }));
    expect(server.accepted[0]?.raw.toString('utf8')).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=CANCEL/i);
  });

  it('when the message is hỏa tốc, then it is marked high priority; when it is a resend, then it names the message it replaces', async () => {
    await sender.send(emailMessage({ urgency: 'hoa-toc', resendOf: 'm-original' }));
    const raw = server.accepted[0]?.raw.toString('utf8') ?? '';
    expect(raw).toMatch(/^X-Priority: 1/im);
    expect(raw).toMatch(/^Importance: High/im);
    const mail = await simpleParser(raw);
    expect(mail.headers.get('x-gateway-resend-of')).toBe('m-original');
  });

  it('when 20 mails are sent at once, then the pool uses at most maxConnections connections and all arrive', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => sender.send(emailMessage())));
    expect(results).toHaveLength(20);
    expect(server.accepted).toHaveLength(20);
    expect(server.peakConnections()).toBeLessThanOrEqual(2);
    expect(new Set(server.accepted.map((m) => m.raw.toString('utf8').match(/^Message-ID: (.*)$/im)?.[1])).size).toBe(20);
  });

  it('when close is called twice, then both calls settle and later sends fail as transient', async () => {
    await sender.send(emailMessage());
    await Promise.all([sender.close(), sender.close()]);
    const failure = await expectProviderError(sender.send(emailMessage()));
    expect(failure.errorClass).toBe('transient');
  });
});

describe('SMTP sender options', () => {
  it('when DKIM is configured, then the relay receives a DKIM-Signature that verifies with the public key', async () => {
    const server = await startSmtpServer();
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const sender = createSmtpSender(
      settingsFor(server, { dkim: { domainName: 'danang.gov.vn', keySelector: 'gw2025', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() } }),
    );
    try {
      await sender.send(emailMessage());
      const raw = server.accepted[0]?.raw;
      if (!raw) throw new Error('no mail');
      const dkim = checkDkim(raw, publicKey);
      expect(dkim.tags).toMatchObject({ d: 'danang.gov.vn', s: 'gw2025', a: 'rsa-sha256' });
      expect(dkim.tags.h?.toLowerCase().split(':')).toEqual(expect.arrayContaining(['from', 'subject', 'message-id', 'to']));
      expect(dkim.bodyHashMatches).toBe(true);
      expect(dkim.signatureValid).toBe(true);
    } finally {
      await sender.close();
      await server.close();
    }
  });

  it('when auth is configured, then the relay sees the user; with a wrong password the send is transient (a setting to fix, not a bad message)', async () => {
    const server = await startSmtpServer({ users: { 'thongbao@danang.gov.vn': 'mat-khau-dung' } });
    const good = createSmtpSender(settingsFor(server, { auth: { user: 'thongbao@danang.gov.vn', pass: 'mat-khau-dung' } }));
    const bad = createSmtpSender(settingsFor(server, { auth: { user: 'thongbao@danang.gov.vn', pass: 'sai' } }));
    try {
      await good.send(emailMessage());
      expect(server.accepted[0]?.user).toBe('thongbao@danang.gov.vn');
      const failure = await expectProviderError(bad.send(emailMessage()));
      expect(failure.errorClass).toBe('transient');
      expect(failure.details.answer).not.toContain('sai');
    } finally {
      await Promise.all([good.close(), bad.close()]);
      await server.close();
    }
  });

  it('when settings are wrong, then the factory refuses them and names each problem', () => {
    expect(() =>
      createSmtpSender({
        host: '',
        port: 0,
        secure: false,
        requireTls: false,
        pool: { maxConnections: 0, maxMessages: 1 },
        from: 'no address',
        messageIdDomain: 'not a domain',
        dkim: { domainName: 'danang.gov.vn', keySelector: 'gw', privateKey: 'nope' },
      }),
    ).toThrow(/host is required.*port.*from.*messageIdDomain.*pool.*privateKey/);
  });
});
