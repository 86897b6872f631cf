import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ChannelMessage, FailedRecord } from '@gateway/contracts';
import type { ClaimOptions, ClaimResult, ClaimState, FinalClaim, OnUnreadable, UndeliveredReport } from './port';

// What both adapters share: the stored forms and the rules around them.

/** A claim held while sending is `sending:<token>`; a final one is the JSON of a FinalClaim. */
export const SENDING = 'sending:';

const finalClaimSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('sent'), at: z.string(), attempt: z.number(), provider: z.string(), providerMessageId: z.string().optional() }),
  z.object({ state: z.enum(['failed', 'dead']), at: z.string(), attempt: z.number() }),
]);

/** A final claim as stored; undefined for what is not one (written by something else). */
export function parseFinal(value: string): FinalClaim | undefined {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    return undefined;
  }
  const parsed = finalClaimSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

export function claimState(value: string): ClaimState | undefined {
  if (value.startsWith(SENDING)) return { state: 'sending', owner: value.slice(SENDING.length) };
  return parseFinal(value);
}

/** The stored value of a sent mark; the key order is the one stored since the first version. */
export function sentValue(sent: { at: string; attempt: number; provider: string; providerMessageId?: string }): string {
  return JSON.stringify({ state: 'sent', ...sent } satisfies FinalClaim);
}

export function checkClaimOptions(options: ClaimOptions, adapter: string): void {
  if (!(options.leaseMs > 0) || !(options.waitMs >= 0) || !(options.doneTtlMs > 0)) throw new RangeError(`${adapter}: leaseMs and doneTtlMs must be positive, waitMs >= 0`);
}

/** Tokens of one owner: `<owner>:<sequence>:<random>`, so a claim says who holds it. */
export function tokens(owner: string): () => string {
  let sequence = 0;
  return () => {
    sequence += 1;
    return `${owner}:${sequence}:${randomBytes(3).toString('hex')}`;
  };
}

/**
 * Takes a claim for `token`, polling while another owner holds it: until it is taken, found final,
 * or the wait ran out. `attempt` takes it atomically (answers null) or answers what is there.
 */
export async function pollClaim(token: string, options: ClaimOptions, signal: { aborted: boolean } | undefined, attempt: () => Promise<string | null>): Promise<ClaimResult> {
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const current = await attempt();
    if (current === null) return { kind: 'acquired', token };
    if (!current.startsWith(SENDING)) {
      const claim = parseFinal(current);
      if (claim) return { kind: 'done', claim };
      // Unreadable (written by something else): let the lease logic handle it like a foreign claim.
    }
    if (Date.now() >= deadline || signal?.aborted) return { kind: 'busy' };
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 100));
  }
}

/**
 * Parses a stored record (or, with `channelMessageSchema`, a kept copy); what does not parse is
 * reported and read as absent. A JSON error's message quotes the text, which holds the contact, so
 * only its kind is kept.
 */
export function readStored<T>(schema: z.ZodType<T>, messageId: string, raw: string, onUnreadable: OnUnreadable | undefined): T | undefined {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    onUnreadable?.({ messageId, reason: 'not JSON' });
    return undefined;
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  onUnreadable?.({ messageId, reason: parsed.error.issues.map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`).join('; ') });
  return undefined;
}

/** Refuses what `recordFailure` must not write: an undelivered message keeps its sent claim. */
export function finalClaimOf(record: FailedRecord, adapter: string): FinalClaim {
  if (record.state === 'undelivered') throw new TypeError(`${adapter}.recordFailure: an undelivered message keeps its sent claim (use recordUndelivered)`);
  return { state: record.state, at: record.at, attempt: record.attempts };
}

/** The failed record for a kept copy that its carrier reported undelivered. */
export function undeliveredRecord(message: ChannelMessage, report: UndeliveredReport): FailedRecord {
  return {
    messageId: message.id,
    eventId: message.eventId,
    channel: message.channel,
    recipient: message.recipient,
    state: 'undelivered',
    reason: `the carrier reported it undelivered${report.code ? ` (error ${report.code})` : ''} after ${report.provider} accepted it`,
    errorClass: 'permanent',
    ...(report.code ? { code: report.code } : {}),
    provider: report.provider,
    ...(report.answer ? { providerAnswer: report.answer } : {}),
    attempts: message.attempt,
    at: report.at,
    message,
  };
}
