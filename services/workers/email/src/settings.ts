import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseSettings, setting } from '@gateway/common';
import { loadWorkerSettings, SettingsProblems, type WorkerSettings } from '@gateway/worker-core';
import type { SmtpSenderSettings } from './adapters/smtp-sender';

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));

/**
 * Environment-style settings of the SMTP adapter, for the email worker's composition root
 * (parse with `parseSettings('email-worker', emailSettingsSchema, env)`); parses to EmailSettings.
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
  })
  .transform((s): EmailSettings => ({
    smtp: {
      host: s.SMTP_HOST,
      port: s.SMTP_PORT,
      secure: s.SMTP_SECURE,
      requireTls: s.SMTP_REQUIRE_TLS,
      tls: { rejectUnauthorized: s.SMTP_TLS_REJECT_UNAUTHORIZED, caFile: s.SMTP_TLS_CA_FILE, servername: s.SMTP_TLS_SERVERNAME },
      auth: s.SMTP_USER && s.SMTP_PASSWORD ? { user: s.SMTP_USER, pass: s.SMTP_PASSWORD } : undefined,
      pool: { maxConnections: s.SMTP_POOL_MAX_CONNECTIONS, maxMessages: s.SMTP_POOL_MAX_MESSAGES },
      timeouts: { connectionMs: s.SMTP_CONNECTION_TIMEOUT_MS, greetingMs: s.SMTP_GREETING_TIMEOUT_MS, socketMs: s.SMTP_SOCKET_TIMEOUT_MS },
      clientName: s.SMTP_CLIENT_NAME,
    },
    from: s.EMAIL_FROM,
    messageIdDomain: s.EMAIL_MESSAGE_ID_DOMAIN ?? fromDomain(s.EMAIL_FROM) ?? '',
    dkim:
      s.EMAIL_DKIM_DOMAIN && s.EMAIL_DKIM_SELECTOR
        ? { domainName: s.EMAIL_DKIM_DOMAIN, keySelector: s.EMAIL_DKIM_SELECTOR, privateKey: s.EMAIL_DKIM_PRIVATE_KEY, privateKeyFile: s.EMAIL_DKIM_PRIVATE_KEY_FILE }
        : undefined,
    http: { host: s.EMAIL_HTTP_HOST, port: s.EMAIL_HTTP_PORT },
  }));

/** The SMTP adapter's settings as validated; key and CA files are named here and read at start (toSmtpSenderSettings). */
export interface EmailSettings {
  smtp: {
    host: string;
    port: number;
    secure: boolean;
    requireTls: boolean;
    tls: { rejectUnauthorized: boolean; caFile?: string | undefined; servername?: string | undefined };
    auth?: { user: string; pass: string } | undefined;
    pool: { maxConnections: number; maxMessages: number };
    timeouts: { connectionMs: number; greetingMs: number; socketMs: number };
    clientName?: string | undefined;
  };
  from: string;
  messageIdDomain: string;
  /** The key itself (EMAIL_DKIM_PRIVATE_KEY) or its file (EMAIL_DKIM_PRIVATE_KEY_FILE): exactly one is set. */
  dkim?: { domainName: string; keySelector: string; privateKey?: string | undefined; privateKeyFile?: string | undefined } | undefined;
  /** Health endpoints (/healthz, /readyz). */
  http: { host: string; port: number };
}

export interface EmailWorkerSettings {
  core: WorkerSettings;
  email: EmailSettings;
}

/** Every bad setting, of the core and of SMTP, in one message. */
export function loadEmailWorkerSettings(env: Record<string, string | undefined>): EmailWorkerSettings {
  const problems = new SettingsProblems('worker-email');
  const core = problems.take(() => loadWorkerSettings('email', env));
  const email = problems.take(() => parseSettings('worker-email', emailSettingsSchema, env));
  problems.check();
  return { core: core as WorkerSettings, email: email as EmailSettings };
}

function fromDomain(from: string): string | undefined {
  return /@([A-Za-z0-9.-]+\.[A-Za-z]{2,})>?\s*$/.exec(from)?.[1];
}

/** Turns parsed settings into the adapter's settings; key and CA files are read here, once. */
export function toSmtpSenderSettings(s: EmailSettings, readFile: (path: string) => string = (path) => readFileSync(path, 'utf8')): SmtpSenderSettings {
  const { smtp, dkim } = s;
  const privateKey = dkim?.privateKey ?? (dkim?.privateKeyFile ? readFile(dkim.privateKeyFile) : undefined);
  const tls = {
    rejectUnauthorized: smtp.tls.rejectUnauthorized,
    ...(smtp.tls.caFile ? { ca: readFile(smtp.tls.caFile) } : {}),
    ...(smtp.tls.servername ? { servername: smtp.tls.servername } : {}),
  };
  return {
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTls: smtp.requireTls,
    tls,
    ...(smtp.auth ? { auth: smtp.auth } : {}),
    pool: smtp.pool,
    timeouts: smtp.timeouts,
    ...(smtp.clientName ? { clientName: smtp.clientName } : {}),
    from: s.from,
    messageIdDomain: s.messageIdDomain,
    ...(dkim && privateKey ? { dkim: { domainName: dkim.domainName, keySelector: dkim.keySelector, privateKey } } : {}),
  };
}
