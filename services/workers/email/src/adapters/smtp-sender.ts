import nodemailer from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import type { EmailMessage, Urgency } from '@gateway/contracts';
import type { Logger } from '@gateway/common';
import { ProviderError, type ChannelSender, type SendResult } from '@gateway/worker-core';
import { classifySmtpError, SMTP_PROVIDER } from './classify';
import { isMailDomain, messageIdHeader } from '../domain/message-id';
import { composeMime, type ComposedMail, type Mailbox } from './mime';

export interface SmtpSenderSettings {
  host: string;
  port: number;
  /** Implicit TLS from the first byte (port 465). With false, STARTTLS is used when offered. */
  secure: boolean;
  /** Refuse to send when the relay does not offer STARTTLS (ignored with `secure`). */
  requireTls: boolean;
  tls?: {
    /** false only for a relay with a self-signed certificate inside the agency network. */
    rejectUnauthorized?: boolean;
    /** PEM of the CA that signed the relay's certificate (agency-internal CAs are common). */
    ca?: string;
    servername?: string;
  };
  auth?: { user: string; pass: string };
  pool: { maxConnections: number; maxMessages: number };
  timeouts?: { connectionMs?: number; greetingMs?: number; socketMs?: number };
  /** Name sent in EHLO; the relay's logs show it. Defaults to the machine's host name. */
  clientName?: string;
  /** From header, e.g. `"Văn phòng Thành ủy" <thongbao@danang.gov.vn>`. */
  from: string;
  /** Right-hand side of every Message-ID; usually the From domain. */
  messageIdDomain: string;
  dkim?: { domainName: string; keySelector: string; privateKey: string };
}

export interface SmtpSender extends ChannelSender<EmailMessage> {
  close(): Promise<void>;
}

const HIGH_PRIORITY: ReadonlySet<Urgency> = new Set<Urgency>(['hoa-toc', 'thuong-khan']);

function checkSettings(settings: SmtpSenderSettings): void {
  const problems: string[] = [];
  if (!settings.host) problems.push('host is required');
  if (!Number.isInteger(settings.port) || settings.port < 1 || settings.port > 65535) problems.push('port must be 1-65535');
  if (!settings.from.includes('@')) problems.push('from must hold an address');
  if (!isMailDomain(settings.messageIdDomain)) problems.push('messageIdDomain must be a domain name');
  if (settings.pool.maxConnections < 1 || settings.pool.maxMessages < 1) problems.push('pool sizes must be at least 1');
  if (settings.auth && (!settings.auth.user || !settings.auth.pass)) problems.push('auth needs both user and pass');
  if (settings.dkim) {
    const { domainName, keySelector, privateKey } = settings.dkim;
    if (!isMailDomain(domainName)) problems.push('dkim.domainName must be a domain name');
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(keySelector)) problems.push('dkim.keySelector is not a valid selector');
    if (!privateKey.includes('PRIVATE KEY')) problems.push('dkim.privateKey must be a PEM private key');
  }
  if (problems.length > 0) throw new Error(`createSmtpSender: ${problems.join('; ')}`);
}

/**
 * Email over an SMTP relay with a connection pool. One instance is shared by every concurrent
 * send; each call builds its own mail object and nothing is mutated per message.
 */
export function createSmtpSender(settings: SmtpSenderSettings, deps: { logger?: Logger } = {}): SmtpSender {
  checkSettings(settings);
  const logger = deps.logger?.child({ component: 'smtp-sender' });
  const transporter = nodemailer.createTransport({
    pool: true,
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    requireTLS: settings.requireTls,
    ...(settings.tls ? { tls: { ...settings.tls } } : {}),
    ...(settings.auth ? { auth: { user: settings.auth.user, pass: settings.auth.pass } } : {}),
    ...(settings.clientName ? { name: settings.clientName } : {}),
    maxConnections: settings.pool.maxConnections,
    maxMessages: settings.pool.maxMessages,
    // The worker core owns retries: each one is recorded in the status history and backs off.
    // nodemailer's own silent requeue on a dropped connection would hide them.
    maxRequeues: 0,
    connectionTimeout: settings.timeouts?.connectionMs ?? 10_000,
    greetingTimeout: settings.timeouts?.greetingMs ?? 10_000,
    socketTimeout: settings.timeouts?.socketMs ?? 60_000,
    // Message fields come from events; they must never make the worker read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
    ...(settings.dkim ? { dkim: { ...settings.dkim } } : {}),
  });

  let closing: Promise<void> | undefined;

  const parsedFrom = addressparser(settings.from, { flatten: true })[0];
  const from: Mailbox = parsedFrom?.address ? { address: parsedFrom.address, ...(parsedFrom.name ? { name: parsedFrom.name } : {}) } : { address: settings.from };

  function mailOf(message: EmailMessage, to: string): ComposedMail {
    const headers: Record<string, string> = {
      'X-Gateway-Message-Id': message.id,
      'X-Gateway-Event-Id': message.eventId,
      // RFC 3834: out-of-office robots must not answer a notification.
      'Auto-Submitted': 'auto-generated',
    };
    if (message.resendOf) headers['X-Gateway-Resend-Of'] = message.resendOf;
    // What nodemailer's `priority: 'high'` writes.
    if (HIGH_PRIORITY.has(message.urgency)) Object.assign(headers, { 'X-Priority': '1 (Highest)', 'X-MSMail-Priority': 'High', Importance: 'High' });
    return {
      from,
      to: { name: message.recipient.name, address: to },
      subject: message.subject,
      text: message.text,
      html: message.html,
      messageId: messageIdHeader(message.id, settings.messageIdDomain),
      // The notification's own time, so every retry produces the same message.
      date: new Date(message.createdAt),
      headers,
      // The text/calendar; method=... alternative that mail clients turn into accept/decline
      // buttons, and the same as an invite.ics attachment (what nodemailer's icalEvent writes).
      ...(message.calendar ? { calendar: { method: message.calendar.method, ics: message.calendar.ics, filename: 'invite.ics' } } : {}),
    };
  }

  return {
    name: SMTP_PROVIDER,
    async send(message: EmailMessage): Promise<SendResult> {
      if (closing) throw new ProviderError('SMTP sender is closed', 'transient', { provider: SMTP_PROVIDER, code: 'closed' });
      const to = message.recipient.email;
      if (!to) {
        throw new ProviderError('recipient has no email address', 'permanent', { provider: SMTP_PROVIDER, code: 'no-address' });
      }
      const mail = mailOf(message, to);
      try {
        // The message is built to one buffer (see mime.ts) and handed over raw: nodemailer's
        // pool, STARTTLS, auth and DKIM still do the sending.
        const raw = composeMime(mail);
        const info = await transporter.sendMail({ envelope: { from: from.address, to: [to] }, raw, messageId: mail.messageId });
        if (info.rejected.length > 0 && info.accepted.length === 0) {
          throw new ProviderError('SMTP server rejected the recipient', 'permanent', { provider: SMTP_PROVIDER, answer: String(info.response).slice(0, 500) });
        }
        logger?.debug({ messageId: message.id, to }, 'email accepted by relay');
        return { provider: SMTP_PROVIDER, providerMessageId: mail.messageId };
      } catch (err) {
        const failure = classifySmtpError(err);
        logger?.debug({ messageId: message.id, errorClass: failure.errorClass, code: failure.details.code }, 'email not accepted');
        throw failure;
      }
    },
    close(): Promise<void> {
      closing ??= Promise.resolve().then(() => transporter.close());
      return closing;
    },
  };
}
