import { hash } from 'node:crypto';
import type { SmsMessage } from '@gateway/contracts';
import { ProviderError, type ErrorClass, type SendResult } from '@gateway/worker-core';
import { networkError, parseRetryAfter, trimAnswer } from './http';
import type { SmsSender } from './twilio';

/**
 * eSMS CodeResult values and what we do with them. Codes not listed are treated as transient
 * (retried, then dead with the code in the failure record): a code we do not know is more
 * likely a provider-side hiccup than a verdict on the message. Account-level problems
 * (credentials, locked account, balance, brandname, SmsType) are transient on purpose: no message
 * is at fault, and their repetition opens this provider's circuit so the next provider takes over
 * while an operator fixes the account.
 */
export const ESMS_RESULT_CODES: Readonly<Record<string, { class: ErrorClass | 'accepted'; meaning: string }>> = Object.freeze({
  '100': { class: 'accepted', meaning: 'request received and accepted' },
  '124': { class: 'accepted', meaning: 'duplicate RequestId: this message was already accepted' },
  '99': { class: 'transient', meaning: 'unknown error, try again later' },
  '101': { class: 'transient', meaning: 'wrong ApiKey or SecretKey (account)' },
  '102': { class: 'transient', meaning: 'account locked (account)' },
  '103': { class: 'transient', meaning: 'balance too low (account)' },
  '104': { class: 'transient', meaning: 'brandname does not exist or was cancelled (account)' },
  '118': { class: 'transient', meaning: 'invalid SmsType (configuration)' },
  '119': { class: 'permanent', meaning: 'advertising brandname needs at least 20 numbers' },
  '131': { class: 'permanent', meaning: 'advertising content longer than 422 characters' },
  '132': { class: 'permanent', meaning: 'no permission for the fixed short code' },
  '145': { class: 'permanent', meaning: 'content does not match a registered social template' },
  '146': { class: 'permanent', meaning: 'content does not match a registered customer-care brandname template' },
  '159': { class: 'permanent', meaning: 'RequestId too long' },
  '177': { class: 'permanent', meaning: "the brandname has no route to the recipient's network" },
});

export function classifyEsmsResult(code: string): ErrorClass | 'accepted' {
  return ESMS_RESULT_CODES[code]?.class ?? 'transient';
}

/**
 * eSMS takes Vietnamese numbers in national form: +84905123456 → 0905123456 (its documentation
 * and examples use that form). A brandname is registered with Vietnamese carriers only, so a
 * number outside +84 is refused here, permanently, before any request.
 */
export function toEsmsPhone(e164: string): string | undefined {
  const match = /^\+84(\d{9,10})$/.exec(e164);
  return match ? `0${match[1]}` : undefined;
}

/**
 * Our message id as eSMS's RequestId, which it deduplicates for 24 hours: a resend of the same
 * request within the retry schedule (30 minutes) is recognised and not sent twice. Ids longer than
 * eSMS accepts (50 characters) are replaced by a digest of the id, stable across attempts.
 */
export function toRequestId(messageId: string): string {
  if (messageId.length <= 50 && /^[A-Za-z0-9._:-]+$/.test(messageId)) return messageId;
  return `h-${hash('sha256', messageId, 'base64url').slice(0, 43)}`;
}

export interface EsmsSenderOptions {
  apiKey: string;
  secretKey: string;
  /** The registered brandname (sender id), at most 11 characters. */
  brandname: string;
  /** 2: customer care (notifications); the default. */
  smsType?: string;
  callbackUrl?: string;
  /** eSMS's sandbox: validated, not delivered, not charged. */
  sandbox?: boolean;
  /** https://rest.esms.vn in production; the loopback server in tests. */
  baseUrl?: string;
  timeoutMs?: number;
  name?: string;
  fetch?: typeof fetch;
}

interface EsmsAnswer {
  CodeResult?: string | number;
  SMSID?: string;
  ErrorMessage?: string;
}

const ESMS_SEND_PATH = '/MainService.svc/json/SendMultipleMessage_V4_post_json/';

/** A Vietnamese brandname SMS provider with eSMS's JSON API. */
export class EsmsSmsSender implements SmsSender {
  readonly name: string;
  private readonly url: string;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: EsmsSenderOptions) {
    if (!options.apiKey || !options.secretKey) throw new Error('EsmsSmsSender: apiKey and secretKey are required');
    if (!/^[A-Za-z0-9 ._-]{1,11}$/.test(options.brandname)) throw new Error('EsmsSmsSender: brandname must be 1 to 11 letters, digits, space, ".", "_" or "-"');
    this.name = options.name ?? 'esms';
    this.url = new URL(ESMS_SEND_PATH, options.baseUrl ?? 'https://rest.esms.vn').href;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.fetch = options.fetch ?? fetch;
  }

  async send(message: SmsMessage): Promise<SendResult> {
    const e164 = message.recipient.phone;
    if (!e164) throw new ProviderError('the recipient has no phone number', 'permanent', { provider: this.name, code: 'NO_PHONE' });
    const phone = toEsmsPhone(e164);
    if (!phone) throw new ProviderError('eSMS brandname SMS reaches Vietnamese (+84) numbers only', 'permanent', { provider: this.name, code: 'NOT_DOMESTIC' });
    const body = {
      ApiKey: this.options.apiKey,
      SecretKey: this.options.secretKey,
      Phone: phone,
      Content: message.text,
      Brandname: this.options.brandname,
      SmsType: this.options.smsType ?? '2',
      IsUnicode: message.encoding === 'UCS-2' ? '1' : '0',
      Sandbox: this.options.sandbox ? '1' : '0',
      RequestId: toRequestId(message.id),
      ...(this.options.callbackUrl ? { CallbackUrl: this.options.callbackUrl } : {}),
    };

    let response: Response;
    let text: string;
    try {
      response = await this.fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (err) {
      throw networkError(err, this.name);
    }
    if (!response.ok) {
      const errorClass: ErrorClass = response.status === 429 || response.status === 408 || response.status >= 500 ? 'transient' : 'permanent';
      throw new ProviderError(`esms HTTP ${response.status}`, errorClass, { provider: this.name, code: `HTTP_${response.status}`, answer: trimAnswer(text), retryAfterMs: parseRetryAfter(response.headers.get('retry-after')) });
    }
    let answer: EsmsAnswer;
    try {
      answer = JSON.parse(text) as EsmsAnswer;
    } catch {
      // Could have been accepted behind a broken proxy: the RequestId makes the retry safe.
      throw new ProviderError('esms answered 2xx without JSON', 'transient', { provider: this.name, code: 'BAD_ANSWER', answer: trimAnswer(text) });
    }
    const code = String(answer.CodeResult ?? '');
    const verdict = classifyEsmsResult(code);
    if (verdict === 'accepted') return { provider: this.name, providerMessageId: answer.SMSID || undefined };
    const meaning = ESMS_RESULT_CODES[code]?.meaning ?? answer.ErrorMessage ?? 'unknown result code';
    throw new ProviderError(`esms CodeResult ${code || '(none)'}: ${meaning}`, verdict, { provider: this.name, code: code || 'NO_CODE', answer: trimAnswer(text) });
  }
}
