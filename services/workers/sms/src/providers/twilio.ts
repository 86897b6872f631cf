import type { SmsMessage } from '@gateway/contracts';
import { ProviderError, type ChannelSender, type ErrorClass, type SendResult } from '@gateway/worker-core';
import { networkError, parseRetryAfter, trimAnswer } from './http';

/** The SMS port: what the worker core calls. */
export type SmsSender = ChannelSender<SmsMessage>;

/**
 * Twilio error codes that say the message itself can never go out, whatever we retry
 * (https://www.twilio.com/docs/api/errors). Any other 4xx is permanent too; these are named so the
 * operator's failure record says why.
 */
export const TWILIO_PERMANENT_CODES: Readonly<Record<string, string>> = Object.freeze({
  '21211': "invalid 'To' phone number",
  '21408': 'sending to this region is not enabled on the account',
  '21610': 'the recipient replied STOP (unsubscribed)',
  '21612': "the 'To' number cannot be reached from this sender",
  '21614': "'To' is not a mobile number",
  '21617': 'the body exceeds the 1600-character limit',
  '21606': "the 'From' number cannot send SMS",
});

/** HTTP status + Twilio's own code → transient or permanent (the table in the README). */
export function classifyTwilioError(status: number, code: string | undefined): ErrorClass {
  if (status === 429 || status === 408 || status >= 500) return 'transient';
  if (code !== undefined && code in TWILIO_PERMANENT_CODES) return 'permanent';
  return status >= 400 ? 'permanent' : 'transient';
}

export interface TwilioSenderOptions {
  accountSid: string;
  /** The account's auth token, or an API key secret with `apiKeySid`. */
  authToken: string;
  apiKeySid?: string;
  /** A sender number / alphanumeric id, or a Messaging Service (one of the two). */
  from?: string;
  messagingServiceSid?: string;
  /** Public URL of our callback endpoint; the message id and event id are added to its query. */
  statusCallbackUrl?: string;
  /** https://api.twilio.com in production; the loopback server in tests. */
  baseUrl?: string;
  timeoutMs?: number;
  name?: string;
  fetch?: typeof fetch;
}

interface TwilioErrorBody {
  code?: number | string;
  message?: string;
  more_info?: string;
  status?: number;
}

/**
 * Twilio's Messages API (POST /2010-04-01/Accounts/{sid}/Messages.json, form-encoded, Basic auth),
 * spoken directly over fetch: the same request and answers the twilio package's RequestClient
 * makes, without its dependency tree. Twilio has no idempotency key for Messages, so this adapter
 * cannot close the duplicate window (see the README).
 */
export class TwilioSmsSender implements SmsSender {
  readonly name: string;
  private readonly url: string;
  private readonly authorization: string;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: TwilioSenderOptions) {
    if (!/^AC[0-9a-fA-F]{32}$/.test(options.accountSid)) throw new Error('TwilioSmsSender: accountSid must look like AC followed by 32 hex digits');
    if (!options.authToken) throw new Error('TwilioSmsSender: authToken is required');
    if (!options.from === !options.messagingServiceSid) throw new Error('TwilioSmsSender: set exactly one of from and messagingServiceSid');
    this.name = options.name ?? 'twilio';
    const base = new URL(options.baseUrl ?? 'https://api.twilio.com');
    this.url = new URL(`/2010-04-01/Accounts/${options.accountSid}/Messages.json`, base).href;
    this.authorization = `Basic ${Buffer.from(`${options.apiKeySid ?? options.accountSid}:${options.authToken}`).toString('base64')}`;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.fetch = options.fetch ?? fetch;
  }

  statusCallbackFor(message: SmsMessage): string | undefined {
    if (!this.options.statusCallbackUrl) return undefined;
    const url = new URL(this.options.statusCallbackUrl);
    url.searchParams.set('messageId', message.id);
    url.searchParams.set('eventId', message.eventId);
    return url.href;
  }

  async send(message: SmsMessage): Promise<SendResult> {
    const to = message.recipient.phone;
    if (!to) throw new ProviderError('the recipient has no phone number', 'permanent', { provider: this.name, code: 'NO_PHONE' });
    const form = new URLSearchParams({ To: to, Body: message.text });
    if (this.options.from) form.set('From', this.options.from);
    if (this.options.messagingServiceSid) form.set('MessagingServiceSid', this.options.messagingServiceSid);
    const callback = this.statusCallbackFor(message);
    if (callback) form.set('StatusCallback', callback);

    let response: Response;
    let text: string;
    try {
      response = await this.fetch(this.url, {
        method: 'POST',
        headers: { authorization: this.authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (err) {
      throw networkError(err, this.name);
    }
    if (response.ok) {
      let sid: string | undefined;
      try {
        sid = (JSON.parse(text) as { sid?: unknown }).sid as string | undefined;
      } catch {
        // 2xx is Twilio's word that the message was created; an unreadable body does not undo that.
      }
      return { provider: this.name, providerMessageId: typeof sid === 'string' ? sid : undefined };
    }
    let body: TwilioErrorBody = {};
    try {
      body = JSON.parse(text) as TwilioErrorBody;
    } catch {
      // e.g. an HTML page from a proxy
    }
    const code = body.code === undefined ? undefined : String(body.code);
    const errorClass = classifyTwilioError(response.status, code);
    const known = code ? TWILIO_PERMANENT_CODES[code] : undefined;
    const reason = known ?? body.message ?? `HTTP ${response.status}`;
    throw new ProviderError(`twilio ${response.status}${code ? ` (${code})` : ''}: ${reason}`, errorClass, {
      provider: this.name,
      code: code ?? `HTTP_${response.status}`,
      answer: trimAnswer(text),
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
    });
  }
}
