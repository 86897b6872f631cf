import pino, { type Logger } from 'pino';

export type { Logger };

const PHONE = /(\+?84|0)(\d[\s.-]?){7,10}\d/g;
const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;

/** +84905123456 -> +84905***456: enough for an operator to tell numbers apart, not to dial. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/[^\d+]/g, '');
  if (digits.length < 7) return '***';
  return `${digits.slice(0, digits.length - 6)}***${digits.slice(-3)}`;
}

/** nguyen.van.a@danang.gov.vn -> n***@danang.gov.vn */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

/** Masks every phone number and email address found in free text. */
export function maskContacts(text: string): string {
  return text.replace(EMAIL, (_m, first: string, domain: string) => `${first}***@${domain}`).replace(PHONE, (m) => maskPhone(m));
}

function maskDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskContacts(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = maskDeep(v, depth + 1);
  return out;
}

export interface LoggerOptions {
  level: string;
  name: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to assert on masking. */
  destination?: pino.DestinationStream;
}

/**
 * JSON logs with secrets redacted and contact data masked in every message and field, so a
 * careless log call cannot leak a phone number, an email or an API key.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.name,
      level: options.level,
      base: { service: options.name },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization', 'apiKey', '*.apiKey', 'key', '*.key', 'password', '*.password', 'secret', '*.secret'],
        censor: '[redacted]',
      },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((a) => maskDeep(a)) as Parameters<typeof method>;
          return method.apply(this, masked);
        },
      },
    },
    options.destination,
  );
}
