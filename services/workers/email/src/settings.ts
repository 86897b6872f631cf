import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { setting } from '@gateway/common';
import type { SmtpSenderSettings } from './smtp-sender';

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));

/**
 * Environment-style settings of the SMTP adapter, for the email worker's composition root
 * (parse with `parseSettings('email-worker', emailSettingsSchema, env)`).
 */
export const emailSettingsSchema = z
  .object({
    SMTP_HOST: z.string({ message: 'required: host name of the SMTP relay' }).min(1),
    SMTP_PORT: setting.port(587),
    /** true: implicit TLS (port 465); false: STARTTLS when the relay offers it. */
    SMTP_SECURE: setting.bool(false),
    SMTP_REQUIRE_TLS: setting.bool(false),
    SMTP_TLS_REJECT_UNAUTHORIZED: setting.bool(true),
    SMTP_TLS_CA_FILE: optionalText,
    SMTP_TLS_SERVERNAME: optionalText,
    SMTP_USER: optionalText,
    SMTP_PASSWORD: optionalText,
    // 10: with 5 the email worker waited on SMTP round trips (docs/benchmarks.md, "What changed CPU
    // per message", change 5); still under the per-client limits relays ship with (Exchange 20, Postfix 50).
    SMTP_POOL_MAX_CONNECTIONS: setting.positiveInt(10),
    SMTP_POOL_MAX_MESSAGES: setting.positiveInt(100),
    SMTP_CONNECTION_TIMEOUT_MS: setting.positiveInt(10_000),
    SMTP_GREETING_TIMEOUT_MS: setting.positiveInt(10_000),
    SMTP_SOCKET_TIMEOUT_MS: setting.positiveInt(60_000),
    SMTP_CLIENT_NAME: optionalText,
    EMAIL_FROM: z.string({ message: 'required, e.g. "Văn phòng Thành ủy" <thongbao@danang.gov.vn>' }).min(3),
    /** Health endpoints (/healthz, /readyz) for orchestrators; 0.0.0.0 in containers. */
    EMAIL_HTTP_HOST: z.string().default('127.0.0.1'),
    EMAIL_HTTP_PORT: setting.port(8085),
    /** Defaults to the domain of EMAIL_FROM. */
    EMAIL_MESSAGE_ID_DOMAIN: optionalText,
    EMAIL_DKIM_DOMAIN: optionalText,
    EMAIL_DKIM_SELECTOR: optionalText,
    /** PEM, or EMAIL_DKIM_PRIVATE_KEY_FILE with its path. */
    EMAIL_DKIM_PRIVATE_KEY: optionalText,
    EMAIL_DKIM_PRIVATE_KEY_FILE: optionalText,
  })
  .superRefine((s, ctx) => {
    if (Boolean(s.SMTP_USER) !== Boolean(s.SMTP_PASSWORD)) {
      ctx.addIssue({ code: 'custom', path: [s.SMTP_USER ? 'SMTP_PASSWORD' : 'SMTP_USER'], message: 'SMTP_USER and SMTP_PASSWORD go together' });
    }
    const dkim = [s.EMAIL_DKIM_DOMAIN, s.EMAIL_DKIM_SELECTOR, s.EMAIL_DKIM_PRIVATE_KEY ?? s.EMAIL_DKIM_PRIVATE_KEY_FILE];
    if (dkim.some(Boolean) && !dkim.every(Boolean)) {
      ctx.addIssue({ code: 'custom', path: ['EMAIL_DKIM_DOMAIN'], message: 'DKIM needs EMAIL_DKIM_DOMAIN, EMAIL_DKIM_SELECTOR and EMAIL_DKIM_PRIVATE_KEY (or _FILE) together' });
    }
    if (s.EMAIL_DKIM_PRIVATE_KEY && s.EMAIL_DKIM_PRIVATE_KEY_FILE) {
      ctx.addIssue({ code: 'custom', path: ['EMAIL_DKIM_PRIVATE_KEY_FILE'], message: 'set EMAIL_DKIM_PRIVATE_KEY or EMAIL_DKIM_PRIVATE_KEY_FILE, not both' });
    }
    if (!s.EMAIL_MESSAGE_ID_DOMAIN && !fromDomain(s.EMAIL_FROM)) {
      ctx.addIssue({ code: 'custom', path: ['EMAIL_MESSAGE_ID_DOMAIN'], message: 'required when EMAIL_FROM has no domain to take it from' });
    }
  });

export type EmailSettings = z.output<typeof emailSettingsSchema>;

function fromDomain(from: string): string | undefined {
  return /@([A-Za-z0-9.-]+\.[A-Za-z]{2,})>?\s*$/.exec(from)?.[1];
}

/** Turns parsed settings into the adapter's settings; key and CA files are read here, once. */
export function toSmtpSenderSettings(s: EmailSettings, readFile: (path: string) => string = (path) => readFileSync(path, 'utf8')): SmtpSenderSettings {
  const privateKey = s.EMAIL_DKIM_PRIVATE_KEY ?? (s.EMAIL_DKIM_PRIVATE_KEY_FILE ? readFile(s.EMAIL_DKIM_PRIVATE_KEY_FILE) : undefined);
  const tls = {
    rejectUnauthorized: s.SMTP_TLS_REJECT_UNAUTHORIZED,
    ...(s.SMTP_TLS_CA_FILE ? { ca: readFile(s.SMTP_TLS_CA_FILE) } : {}),
    ...(s.SMTP_TLS_SERVERNAME ? { servername: s.SMTP_TLS_SERVERNAME } : {}),
  };
  return {
    host: s.SMTP_HOST,
    port: s.SMTP_PORT,
    secure: s.SMTP_SECURE,
    requireTls: s.SMTP_REQUIRE_TLS,
    tls,
    ...(s.SMTP_USER && s.SMTP_PASSWORD ? { auth: { user: s.SMTP_USER, pass: s.SMTP_PASSWORD } } : {}),
    pool: { maxConnections: s.SMTP_POOL_MAX_CONNECTIONS, maxMessages: s.SMTP_POOL_MAX_MESSAGES },
    timeouts: { connectionMs: s.SMTP_CONNECTION_TIMEOUT_MS, greetingMs: s.SMTP_GREETING_TIMEOUT_MS, socketMs: s.SMTP_SOCKET_TIMEOUT_MS },
    ...(s.SMTP_CLIENT_NAME ? { clientName: s.SMTP_CLIENT_NAME } : {}),
    from: s.EMAIL_FROM,
    messageIdDomain: s.EMAIL_MESSAGE_ID_DOMAIN ?? fromDomain(s.EMAIL_FROM) ?? '',
    ...(s.EMAIL_DKIM_DOMAIN && s.EMAIL_DKIM_SELECTOR && privateKey
      ? { dkim: { domainName: s.EMAIL_DKIM_DOMAIN, keySelector: s.EMAIL_DKIM_SELECTOR, privateKey } }
      : {}),
  };
}
