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

/** Cheap pre-checks: most log strings hold neither, and a failed test costs less than a replace. */
const HAS_PHONE = /(\+?84|0)(\d[\s.-]?){7,10}\d/;

function maskString(text: string): string {
  return text.includes('@') || HAS_PHONE.test(text) ? maskContacts(text) : text;
}

/**
 * Copy on write: a value with nothing to mask comes back as the same object, so the usual log
 * call allocates nothing. `ancestors` is the path from the root, which is all a cycle guard
 * needs and stays a few entries long.
 */
function maskValue(value: unknown, ancestors: object[]): unknown {
  if (typeof value === 'string') return maskString(value);
  if (value === null || typeof value !== 'object') return value;
  if (ancestors.includes(value)) return '[Circular]';
  ancestors.push(value);
  try {
    if (value instanceof Error) return maskError(value, ancestors);
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        const masked = maskValue(item, ancestors);
        if (masked !== item) (out ??= value.slice())[i] = masked;
      }
      return out ?? value;
    }
    // Buffers, dates, maps and the like are left to pino's serializers as they are.
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    let out: Record<string, unknown> | undefined;
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      const masked = maskValue(item, ancestors);
      if (masked !== item) (out ??= { ...(value as Record<string, unknown>) })[key] = masked;
    }
    return out ?? value;
  } finally {
    ancestors.pop();
  }
}

/**
 * An error is masked into a copy with the same prototype, so pino's error serializer still
 * names its type and appends its causes. Client errors carry contacts in own properties
 * (ioredis: the command's arguments; kafkajs: the original error) as well as in the message.
 */
function maskError(err: Error, ancestors: object[]): Error {
  const message = maskString(err.message);
  const stack = typeof err.stack === 'string' ? maskString(err.stack) : err.stack;
  const cause = 'cause' in err ? maskValue(err.cause, ancestors) : undefined;
  const own: Array<[string, unknown]> = [];
  let changed = message !== err.message || stack !== err.stack || cause !== err.cause;
  for (const key of Object.keys(err)) {
    if (key === 'message' || key === 'stack' || key === 'cause') continue;
    const item = (err as unknown as Record<string, unknown>)[key];
    const masked = maskValue(item, ancestors);
    if (masked !== item) changed = true;
    own.push([key, masked]);
  }
  if (!changed) return err;
  const copy = Object.create(Object.getPrototypeOf(err) as object) as Error;
  const hidden = (v: unknown): PropertyDescriptor => ({ value: v, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(copy, 'message', hidden(message));
  Object.defineProperty(copy, 'stack', hidden(stack));
  if ('cause' in err) Object.defineProperty(copy, 'cause', hidden(cause));
  for (const [key, v] of own) Object.defineProperty(copy, key, { value: v, writable: true, configurable: true, enumerable: true });
  return copy;
}

/** Masks contacts anywhere in a log argument: nested objects, arrays, errors and their causes. */
export function maskForLog(value: unknown): unknown {
  return maskValue(value, []);
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
          const masked = args.map((a) => maskForLog(a)) as Parameters<typeof method>;
          return method.apply(this, masked);
        },
      },
    },
    options.destination,
  );
}
