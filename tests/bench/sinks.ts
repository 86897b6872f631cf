/**
 * Loopback providers for bench:pipeline, in their own process so they do not share the gateway's
 * event loop: a Twilio Messages API emulator and an SMTP server. Each accepted message is reported
 * to the parent (IPC) with its gateway message id and the time it was received.
 *   SMS:   POST /2010-04-01/Accounts/:sid/Messages.json → 201 with Twilio's JSON; the message id
 *          is read from the StatusCallback URL (?messageId=…), where the gateway puts it.
 *   Email: the X-Gateway-Message-Id header, read at the end of DATA.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { SMTPServer } from 'smtp-server';

type Report = { type: 'received'; channel: 'sms' | 'email'; id: string; at: number };
const pending: Report[] = [];
const flush = () => {
  if (pending.length && process.send) process.send({ type: 'batch', items: pending.splice(0) });
};
setInterval(flush, 50).unref();

const twilio = http.createServer((req, res) => {
  const match = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Messages\.json/.exec(req.url ?? '');
  if (req.method !== 'POST' || !match) {
    res.writeHead(404).end();
    return;
  }
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => (body += c));
  req.on('end', () => {
    const form = new URLSearchParams(body);
    const callback = form.get('StatusCallback') ?? '';
    const id = callback ? (new URL(callback).searchParams.get('messageId') ?? '') : '';
    pending.push({ type: 'received', channel: 'sms', id, at: Date.now() });
    const sid = `SM${randomBytes(16).toString('hex')}`;
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ sid, account_sid: match[1], to: form.get('To'), from: form.get('From'), body: form.get('Body'), status: 'queued', num_segments: '1', date_created: new Date().toUTCString(), uri: `/2010-04-01/Accounts/${match[1]}/Messages/${sid}.json` }));
  });
});

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  disableReverseLookup: true,
  logger: false,
  size: 10 * 1024 * 1024,
  onData(stream, _session, callback) {
    let head = '';
    let inHeaders = true;
    stream.on('data', (chunk: Buffer) => {
      if (!inHeaders) return;
      head += chunk.toString('latin1');
      if (head.includes('\r\n\r\n')) inHeaders = false;
    });
    stream.on('end', () => {
      const id = /^X-Gateway-Message-Id:\s*(\S+)/im.exec(head)?.[1] ?? '';
      pending.push({ type: 'received', channel: 'email', id, at: Date.now() });
      callback(null, 'queued');
    });
  },
});

twilio.keepAliveTimeout = 60_000;
twilio.listen(0, '127.0.0.1', () => {
  smtp.listen(0, '127.0.0.1', () => {
    const t = twilio.address() as { port: number };
    const s = smtp.server.address() as { port: number };
    process.send?.({ type: 'ready', twilioPort: t.port, smtpPort: s.port });
  });
});
process.on('disconnect', () => process.exit(0));
