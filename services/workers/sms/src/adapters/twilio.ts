import http from 'node:http';
import https from 'node:https';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';

type RequestOptions<TData> = RequestClient.RequestOptions<TData>;
import type { SmsMessage } from '@gateway/contracts';
import { ProviderError, type ChannelSender, type ErrorClass, type SendResult } from '@gateway/worker-core';
import { networkError, parseRetryAfter, trimAnswer } from './http';

/** The provider name of Twilio's sends, in statuses and failed records. */
export const TWILIO_PROVIDER = 'twilio';

/** The SMS port: what the worker core calls. */
export type SmsSender = ChannelSender<SmsMessage>;

/**
 * Twilio error codes that say the message itself can never go out, whatever we retry
 * (https://www.twilio.com/docs/api/errors). Any other 4xx is permanent too; these are named so the
 * operator's failure record says why.
 */
const TWILIO_PERMANENT_CODES: Readonly<Record<string, string>> = Object.freeze({
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
}

class TooManyRequests extends Error {
  constructor(
    readonly answer: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super('twilio 429: too many requests');
  }
}

/** A form body as twilio's client encodes it (qs, arrayFormat "repeat"): arrays become repeated keys. */
export function formEncode(data: unknown): string {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries((data ?? {}) as Record<string, unknown>)) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) form.append(name, typeof item === 'object' ? JSON.stringify(item) : String(item));
  }
  return form.toString();
}

/**
 * twilio's HTTP client port (the `httpClient` option) on node:http(s) with keep-alive sockets,
 * pointed at `baseUrl` (https://api.twilio.com in production, a loopback server in tests). The
 * twilio package still builds the request (URL, auth, user agent) and reads the answer (its
 * RestException for 4xx/5xx); only the transport is ours. Its default client goes through axios,
 * whose cost per request was most of the SMS worker's CPU (docs/adr/0006-twilio-transport.md).
 */
class TwilioHttpClient extends twilio.RequestClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly transport: typeof http.request;

  constructor(baseUrl: string, private readonly options: { timeout: number; maxSockets?: number }) {
    super({ timeout: options.timeout });
    this.base = new URL(baseUrl);
    const secure = this.base.protocol === 'https:';
    this.agent = secure ? new https.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 }) : new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 });
    this.transport = secure ? https.request : http.request;
  }

  override async request<TData>(opts: RequestOptions<TData>): Promise<{ statusCode: number; body: TData; headers: Record<string, string | string[] | undefined> }> {
    const target = new URL(opts.uri);
    if (opts.params) for (const [name, value] of Object.entries(opts.params)) if (value !== undefined) target.searchParams.append(name, String(value));
    const headers: Record<string, string> = { ...(opts.headers as Record<string, string> | undefined) };
    // As twilio's own client: an account (or API key) and secret, else the client's auth strategy.
    if (opts.username && opts.password) headers.Authorization = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
    else if (opts.authStrategy) headers.Authorization = await opts.authStrategy.getAuthString();
    let body: string | undefined;
    if (opts.data !== undefined && opts.data !== null) {
      body = headers['Content-Type'] === 'application/json' ? JSON.stringify(opts.data) : formEncode(opts.data);
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    const timeout = opts.timeout ?? this.options.timeout;
    return new Promise((resolve, reject) => {
      const req = this.transport(
        { protocol: this.base.protocol, hostname: this.base.hostname, port: this.base.port, path: `${target.pathname}${target.search}`, method: opts.method.toUpperCase(), headers, agent: this.agent, timeout },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('error', reject);
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            // twilio's RestException drops the headers; a 429's Retry-After must reach the retry schedule.
            if (status === 429) reject(new TooManyRequests(text, parseRetryAfter(typeof res.headers['retry-after'] === 'string' ? res.headers['retry-after'] : null)));
            // twilio parses a string body itself (JSON.parse in create, RestException on errors).
            else resolve({ statusCode: status, body: text as TData, headers: res.headers });
          });
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer in ${timeout} ms`), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end(body);
    });
  }
}

/**
 * Twilio's Messages API through the official twilio client, with TwilioHttpClient as its
 * transport. Twilio has no idempotency key for Messages, so this adapter cannot
 * close the duplicate window (see the README).
 */
export class TwilioSmsSender implements SmsSender {
  readonly name: string;
  private readonly client: twilio.Twilio;

  constructor(private readonly options: TwilioSenderOptions) {
    if (!/^AC[0-9a-fA-F]{32}$/.test(options.accountSid)) throw new Error('TwilioSmsSender: accountSid must look like AC followed by 32 hex digits');
    if (!options.authToken) throw new Error('TwilioSmsSender: authToken is required');
    if (!options.from === !options.messagingServiceSid) throw new Error('TwilioSmsSender: set exactly one of from and messagingServiceSid');
    this.name = options.name ?? TWILIO_PROVIDER;
    const httpClient = new TwilioHttpClient(options.baseUrl ?? 'https://api.twilio.com', { timeout: options.timeoutMs ?? 15_000 });
    this.client = twilio(options.apiKeySid ?? options.accountSid, options.authToken, { accountSid: options.accountSid, httpClient });
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
    const callback = this.statusCallbackFor(message);
    try {
      const created = await this.client.messages.create({
        to,
        body: message.text,
        ...(this.options.from ? { from: this.options.from } : {}),
        ...(this.options.messagingServiceSid ? { messagingServiceSid: this.options.messagingServiceSid } : {}),
        ...(callback ? { statusCallback: callback } : {}),
      });
      return { provider: this.name, providerMessageId: created.sid };
    } catch (err) {
      throw this.classify(err);
    }
  }

  private classify(err: unknown): ProviderError {
    if (err instanceof TooManyRequests) {
      let code = 'HTTP_429';
      try {
        const body = JSON.parse(err.answer) as unknown;
        const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as { code?: unknown };
        if (parsed.code !== undefined) code = String(parsed.code);
      } catch {
        // not Twilio's JSON; the HTTP status says enough
      }
      return new ProviderError(err.message, 'transient', { provider: this.name, code, answer: trimAnswer(err.answer), ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}) });
    }
    const e = err as { status?: unknown; code?: unknown; message?: string; moreInfo?: string };
    // A RestException: Twilio answered with an error document.
    if (typeof e?.status === 'number' && e.status >= 400) {
      const code = e.code === undefined ? undefined : String(e.code);
      const errorClass = classifyTwilioError(e.status, code);
      const known = code ? TWILIO_PERMANENT_CODES[code] : undefined;
      const reason = known ?? e.message ?? `HTTP ${e.status}`;
      return new ProviderError(`twilio ${e.status}${code ? ` (${code})` : ''}: ${reason}`, errorClass, {
        provider: this.name,
        code: code ?? `HTTP_${e.status}`,
        answer: trimAnswer(JSON.stringify({ status: e.status, code: e.code, message: e.message, more_info: e.moreInfo })),
      });
    }
    const axiosCode = (err as { code?: string }).code;
    if (axiosCode === 'ECONNABORTED' || axiosCode === 'ETIMEDOUT') return new ProviderError(`${this.name}: no answer in time`, 'transient', { provider: this.name, code: 'TIMEOUT' });
    return networkError(err, this.name);
  }
}
