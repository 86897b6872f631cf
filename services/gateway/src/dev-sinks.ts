import type { CapturedEmail, CapturedSms, DevOutbox } from '@gateway/common';
import type { EmailMessage, PushMessage, SmsMessage } from '@gateway/contracts';
import { ProviderError, type ChannelSender } from '@gateway/worker-core';
import type { InboxStore } from '@gateway/worker-push';

/**
 * The embedded mode's development sinks: they stand where the SMS provider, the SMTP relay and
 * the web push service would be, keep what they were given for the console, and accept it.
 * Two reserved kinds of address are refused on purpose, so a newcomer (and the demo) can see a
 * failure and resend it: SMS to a number in `rejectPhones` (like Twilio's 21211 "invalid 'To'
 * number") and email to any domain under `.invalid` (RFC 2606; like an SMTP 550).
 */
export interface CapturedPush {
  messageId: string;
  eventId: string;
  userId: string;
  title: string;
  body: string;
  url?: string;
  at: string;
}

export interface DevSinks {
  outbox: DevOutbox & { pushes(limit?: number): CapturedPush[] };
  sms: ChannelSender<SmsMessage>;
  email: ChannelSender<EmailMessage>;
  push: ChannelSender<PushMessage>;
}

export const DEFAULT_REJECTED_PHONES = ['+84900000000'];

/**
 * `inbox`: where a web push lands instead of a browser (the user's in-app inbox, marked as a push),
 * so it can be seen in the app's inbox API and stream.
 */
export function createDevSinks(options: { rejectPhones?: string[]; maxKept?: number; inbox?: InboxStore } = {}): DevSinks {
  const max = options.maxKept ?? 5_000;
  const reject = new Set(options.rejectPhones ?? DEFAULT_REJECTED_PHONES);
  const emails: CapturedEmail[] = [];
  const sms: CapturedSms[] = [];
  const pushes: CapturedPush[] = [];
  const keep = <T>(list: T[], item: T) => {
    list.push(item);
    // Trimmed in blocks: a splice at the front moves every item behind it.
    if (list.length > max + 1000) list.splice(0, list.length - max);
  };
  const newest = <T>(list: T[], limit = 100) => list.slice(-limit).reverse();
  return {
    outbox: {
      emails: (limit) => newest(emails, limit),
      email: (messageId) => emails.findLast((e) => e.messageId === messageId),
      sms: (limit) => newest(sms, limit),
      pushes: (limit) => newest(pushes, limit),
    },
    sms: {
      name: 'dev-sms',
      async send(m) {
        const to = m.recipient.phone;
        if (!to) throw new ProviderError('no phone number', 'permanent', { provider: 'dev-sms', code: 'no-phone' });
        if (reject.has(to)) throw new ProviderError(`The 'To' number ${to} is not a valid phone number.`, 'permanent', { provider: 'dev-sms', code: '21211', answer: `21211: The 'To' number is not a valid phone number (development sink refuses ${to})` });
        keep(sms, { messageId: m.id, eventId: m.eventId, to, body: m.text, encoding: m.encoding, segments: m.segments, at: new Date().toISOString() });
        return { provider: 'dev-sms', providerMessageId: `dev-${m.id}` };
      },
    },
    email: {
      name: 'dev-smtp',
      async send(m) {
        const to = m.recipient.email;
        if (!to) throw new ProviderError('no email address', 'permanent', { provider: 'dev-smtp', code: 'no-email' });
        if (/\.invalid$/i.test(to)) throw new ProviderError(`550 5.1.1 <${to}>: Recipient address rejected: domain does not exist`, 'permanent', { provider: 'dev-smtp', code: '550', answer: `550 5.1.1 <${to}>: Recipient address rejected (development sink refuses .invalid domains)` });
        keep(emails, { messageId: m.id, eventId: m.eventId, to, subject: m.subject, html: m.html, text: m.text, ...(m.calendar ? { ics: m.calendar.ics } : {}), at: new Date().toISOString() });
        return { provider: 'dev-smtp', providerMessageId: `<${m.id}@dev>` };
      },
    },
    push: {
      name: 'dev-push',
      async send(m) {
        const userId = m.recipient.userId;
        if (!userId) throw new ProviderError('no user id for web push', 'permanent', { provider: 'dev-push', code: 'no-user' });
        keep(pushes, { messageId: m.id, eventId: m.eventId, userId, title: m.title, body: m.body, ...(m.url ? { url: m.url } : {}), at: new Date().toISOString() });
        await options.inbox?.add(userId, {
          messageId: m.id,
          eventId: m.eventId,
          eventType: m.eventType,
          title: `[Thông báo đẩy] ${m.title}`,
          body: m.body,
          ...(m.url ? { url: m.url } : {}),
          urgency: m.urgency,
          ...(m.secrecy ? { secrecy: m.secrecy } : {}),
          createdAt: m.createdAt,
        });
        return { provider: 'dev-push' };
      },
    },
  };
}
