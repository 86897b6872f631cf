import { z } from 'zod';
import { parseSettings, setting } from '@gateway/common';
import { loadWorkerSettings, SettingsProblems, type WorkerSettings } from '@gateway/worker-core';

const SMS_PROVIDER_KINDS = ['twilio', 'esms'] as const;

const httpsOrLoopback = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });

const twilioSchema = z
  .object({
    TWILIO_ACCOUNT_SID: z.string({ message: 'required when SMS_PROVIDERS lists twilio' }).regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex digits'),
    TWILIO_AUTH_TOKEN: z.string({ message: 'required when SMS_PROVIDERS lists twilio (also checks callback signatures)' }).min(16, 'looks too short for a Twilio auth token'),
    TWILIO_API_KEY_SID: z.string().regex(/^SK[0-9a-fA-F]{32}$/, 'must be SK followed by 32 hex digits').optional(),
    TWILIO_API_KEY_SECRET: z.string().min(1).optional(),
    TWILIO_FROM: z.string().min(1).max(32).optional(),
    TWILIO_MESSAGING_SERVICE_SID: z.string().regex(/^MG[0-9a-fA-F]{32}$/, 'must be MG followed by 32 hex digits').optional(),
    TWILIO_BASE_URL: httpsOrLoopback.default('https://api.twilio.com'),
    TWILIO_STATUS_CALLBACK_URL: httpsOrLoopback.optional(),
    TWILIO_TIMEOUT_MS: setting.positiveInt(15_000),
    TWILIO_RATE_LIMIT_PER_SECOND: z.coerce.number().min(0).default(0),
    TWILIO_RATE_LIMIT_BURST: setting.positiveInt(1),
  })
  .superRefine((s, ctx) => {
    if (!s.TWILIO_FROM === !s.TWILIO_MESSAGING_SERVICE_SID) ctx.addIssue({ code: 'custom', path: ['TWILIO_FROM'], message: 'set exactly one of TWILIO_FROM and TWILIO_MESSAGING_SERVICE_SID' });
    if (Boolean(s.TWILIO_API_KEY_SID) !== Boolean(s.TWILIO_API_KEY_SECRET)) ctx.addIssue({ code: 'custom', path: ['TWILIO_API_KEY_SECRET'], message: 'TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET go together' });
  })
  .transform((s) => ({
    kind: 'twilio' as const,
    accountSid: s.TWILIO_ACCOUNT_SID,
    authToken: s.TWILIO_AUTH_TOKEN,
    apiKey: s.TWILIO_API_KEY_SID && s.TWILIO_API_KEY_SECRET ? { sid: s.TWILIO_API_KEY_SID, secret: s.TWILIO_API_KEY_SECRET } : undefined,
    from: s.TWILIO_FROM,
    messagingServiceSid: s.TWILIO_MESSAGING_SERVICE_SID,
    baseUrl: s.TWILIO_BASE_URL,
    statusCallbackUrl: s.TWILIO_STATUS_CALLBACK_URL,
    timeoutMs: s.TWILIO_TIMEOUT_MS,
    rate: { perSecond: s.TWILIO_RATE_LIMIT_PER_SECOND, burst: s.TWILIO_RATE_LIMIT_BURST },
  }));

const esmsSchema = z
  .object({
    ESMS_API_KEY: z.string({ message: 'required when SMS_PROVIDERS lists esms' }).min(1),
    ESMS_SECRET_KEY: z.string({ message: 'required when SMS_PROVIDERS lists esms' }).min(1),
    ESMS_BRANDNAME: z.string({ message: 'required when SMS_PROVIDERS lists esms: the registered sender id' }).regex(/^[A-Za-z0-9 ._-]{1,11}$/, 'at most 11 letters, digits, space, ".", "_" or "-"'),
    ESMS_SMS_TYPE: z.string().regex(/^\d+$/).default('2'),
    ESMS_BASE_URL: httpsOrLoopback.default('https://rest.esms.vn'),
    ESMS_CALLBACK_URL: httpsOrLoopback.optional(),
    ESMS_SANDBOX: setting.bool(false),
    ESMS_TIMEOUT_MS: setting.positiveInt(15_000),
    ESMS_RATE_LIMIT_PER_SECOND: z.coerce.number().min(0).default(0),
    ESMS_RATE_LIMIT_BURST: setting.positiveInt(1),
  })
  .transform((s) => ({
    kind: 'esms' as const,
    apiKey: s.ESMS_API_KEY,
    secretKey: s.ESMS_SECRET_KEY,
    brandname: s.ESMS_BRANDNAME,
    smsType: s.ESMS_SMS_TYPE,
    baseUrl: s.ESMS_BASE_URL,
    callbackUrl: s.ESMS_CALLBACK_URL,
    sandbox: s.ESMS_SANDBOX,
    timeoutMs: s.ESMS_TIMEOUT_MS,
    rate: { perSecond: s.ESMS_RATE_LIMIT_PER_SECOND, burst: s.ESMS_RATE_LIMIT_BURST },
  }));

export type TwilioSettings = z.output<typeof twilioSchema>;
export type EsmsSettings = z.output<typeof esmsSchema>;
/** One provider's settings, discriminated by `kind`: a provider's credentials are required only when it is listed. */
export type SmsProviderSettings = TwilioSettings | EsmsSettings;

const smsSchema = z.object({
  SMS_PROVIDERS: z
    .string({ message: 'required: providers in order of preference, e.g. "esms,twilio"' })
    .transform((s) => s.split(',').map((p) => p.trim().toLowerCase()).filter(Boolean))
    .pipe(
      z
        .array(z.enum(SMS_PROVIDER_KINDS, { message: `each must be one of ${SMS_PROVIDER_KINDS.join(', ')}` }))
        .min(1, 'at least one provider')
        .refine((list) => new Set(list).size === list.length, 'a provider is listed twice'),
    ),
  SMS_CIRCUIT_FAILURE_THRESHOLD: setting.positiveInt(5),
  SMS_CIRCUIT_WINDOW_MS: setting.positiveInt(30_000),
  SMS_CIRCUIT_COOLDOWN_MS: setting.positiveInt(30_000),
  SMS_HTTP_HOST: z.string().default('127.0.0.1'),
  SMS_HTTP_PORT: setting.port(8084),
  /**
   * With Twilio status callbacks: how long a sent SMS's copy is kept, so that one its carrier later
   * reports undelivered can be corrected and resent by an operator (carriers report within minutes,
   * at most a few days).
   */
  SMS_SENT_COPY_TTL_HOURS: setting.positiveInt(72),
});

export interface SmsSettings {
  providers: SmsProviderSettings[];
  circuit: { failureThreshold: number; windowMs: number; cooldownMs: number };
  http: { host: string; port: number };
  sentCopyTtlMs: number;
}

export interface SmsWorkerSettings {
  core: WorkerSettings;
  sms: SmsSettings;
}

const SERVICE = 'worker-sms';

/** Core and SMS settings from env, every problem of all of them reported at once. */
export function loadSmsWorkerSettings(env: Record<string, string | undefined>): SmsWorkerSettings {
  const problems = new SettingsProblems(SERVICE);
  const core = problems.take(() => loadWorkerSettings('sms', env, SERVICE));
  const base = problems.take(() => parseSettings(SERVICE, smsSchema, env));
  const providers = (base?.SMS_PROVIDERS ?? []).map((kind) => problems.take((): SmsProviderSettings => (kind === 'twilio' ? parseSettings(SERVICE, twilioSchema, env) : parseSettings(SERVICE, esmsSchema, env))));
  problems.check();
  const c = core as WorkerSettings;
  for (const p of providers as SmsProviderSettings[]) {
    // The adapter's own timeout must fire before the worker's safety net, which cannot cancel the request.
    const rateWait = p.rate.perSecond > 0 || c.rateLimit ? c.rateLimitMaxWaitMs : 0;
    const name = p.kind === 'twilio' ? 'TWILIO_TIMEOUT_MS' : 'ESMS_TIMEOUT_MS';
    if (p.timeoutMs + rateWait >= c.sendTimeoutMs) problems.add(`${name}: with the rate-limit wait (${rateWait} ms) it must stay below SEND_TIMEOUT_MS (${c.sendTimeoutMs}) (got ${p.timeoutMs})`);
  }
  problems.check();
  const b = base as z.output<typeof smsSchema>;
  return {
    core: c,
    sms: {
      providers: providers as SmsProviderSettings[],
      circuit: { failureThreshold: b.SMS_CIRCUIT_FAILURE_THRESHOLD, windowMs: b.SMS_CIRCUIT_WINDOW_MS, cooldownMs: b.SMS_CIRCUIT_COOLDOWN_MS },
      http: { host: b.SMS_HTTP_HOST, port: b.SMS_HTTP_PORT },
      sentCopyTtlMs: b.SMS_SENT_COPY_TTL_HOURS * 3_600_000,
    },
  };
}
