import { ProviderError } from '@gateway/worker-core';

export const SMTP_PROVIDER = 'smtp';

/** The fields nodemailer puts on its errors; read defensively, the SDK type stays here. */
interface SmtpErrorLike {
  message?: unknown;
  code?: unknown;
  originalCode?: unknown;
  responseCode?: unknown;
  response?: unknown;
  command?: unknown;
  rejectedErrors?: unknown;
}

/** Failures of the connection, not of the message: the same message goes through once the relay is back. */
const TRANSIENT_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'EPROXY',
  'EMAXLIMIT',
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Failures that come from the message itself: sending it again gives the same answer. */
const PERMANENT_CODES = new Set(['EENVELOPE', 'EMESSAGE', 'EFILEACCESS', 'EURLACCESS', 'EMAXRECIPIENTS']);

/**
 * The relay refused our credentials or TLS setup. Transient even when the reply is a 5xx (535):
 * a wrong password must not turn thousands of invitations into permanent failures an operator
 * would have to resend one by one; the retries buy time to fix the setting.
 */
const SETUP_CODES = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2', 'ETLS', 'EREQUIRETLS']);

const MAX_ANSWER = 500;

function trimAnswer(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_ANSWER ? `${oneLine.slice(0, MAX_ANSWER - 1)}…` : oneLine;
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** An envelope error for our single recipient carries the RCPT reply on the per-recipient error. */
function replyOf(err: SmtpErrorLike): { responseCode?: number; response?: string } {
  if (typeof err.responseCode === 'number') return { responseCode: err.responseCode, response: asString(err.response) };
  if (Array.isArray(err.rejectedErrors)) {
    for (const inner of err.rejectedErrors as SmtpErrorLike[]) {
      if (typeof inner?.responseCode === 'number') return { responseCode: inner.responseCode, response: asString(inner.response) };
    }
  }
  return {};
}

/**
 * SMTP 4xx and connection trouble are transient, 5xx rejections permanent (RFC 5321 reply
 * classes). 503 "bad sequence of commands" is the one 5xx that is transient: it says the session
 * was in the wrong state, not that the message was refused, and a new connection clears it.
 * Anything unrecognised is transient: a bounded number of retries is cheaper than a lost invitation.
 */
export function classifySmtpError(raw: unknown): ProviderError {
  if (raw instanceof ProviderError) return raw;
  const err: SmtpErrorLike = typeof raw === 'object' && raw !== null ? (raw as SmtpErrorLike) : { message: String(raw) };
  const message = asString(err.message) ?? 'SMTP send failed';
  const code = asString(err.code);
  const originalCode = asString(err.originalCode);
  const { responseCode, response } = replyOf(err);

  if (code !== undefined && SETUP_CODES.has(code)) {
    return new ProviderError(`SMTP relay refused our ${code === 'ETLS' || code === 'EREQUIRETLS' ? 'TLS setup' : 'credentials'}: check the settings`, 'transient', {
      provider: SMTP_PROVIDER,
      code: responseCode !== undefined ? String(responseCode) : code,
      answer: trimAnswer(response ?? message),
    });
  }
  if (responseCode !== undefined && responseCode >= 400 && responseCode < 600) {
    const permanent = responseCode >= 500 && responseCode !== 503;
    const command = asString(err.command);
    return new ProviderError(
      `SMTP server answered ${responseCode}${command ? ` to ${command}` : ''}`,
      permanent ? 'permanent' : 'transient',
      { provider: SMTP_PROVIDER, code: String(responseCode), answer: trimAnswer(response ?? message) },
    );
  }
  const codes = [originalCode, code].filter((c): c is string => c !== undefined);
  const errorClass = codes.some((c) => PERMANENT_CODES.has(c)) && !codes.some((c) => TRANSIENT_CODES.has(c)) ? 'permanent' : 'transient';
  return new ProviderError(`SMTP send failed: ${trimAnswer(message)}`, errorClass, {
    provider: SMTP_PROVIDER,
    ...(codes[0] !== undefined ? { code: codes[0] } : {}),
    answer: trimAnswer(message),
  });
}
