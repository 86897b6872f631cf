import { channelMessageSchema, type Channel, type ChannelMessage, type Topics } from '@gateway/contracts';
import type { OutgoingRecord } from '@gateway/bus';
import { withTimeout, type Logger } from '@gateway/common';
import type { ChannelSender, SendResult } from '../domain/ports';
import { ProviderError } from '../domain/ports';
import { retryDelay, type RetryPolicy } from '../domain/backoff';
import { asProviderError, SendTimeoutError, ThrottledError } from '../domain/errors';
import { deadLetterRecord, type IncomingRecord } from '@gateway/bus';
import { deliveryStatus, statusRecord } from '../domain/records';
import { supersededReason, type DeliveryLedger, type FailedRecord, type FinalClaim, type SubjectVersionReader } from '@gateway/delivery-ledger';
import type { Delays } from '../data-access/delay-queue';

export type Outcome =
  | 'sent'
  /** A redelivered copy of a message already sent, failed or dead: the provider was not called. */
  | 'duplicate'
  | 'retrying'
  /** Put back in the delay without using an attempt (rate limit, or another replica still holding its claim). */
  | 'deferred'
  | 'failed'
  | 'dead'
  /** A newer version of its meeting came first, or its document was recalled: not sent. */
  | 'superseded'
  /** Not a valid message of this channel: dead-lettered. */
  | 'invalid';

export interface DeliverDeps {
  channel: Channel;
  sender: ChannelSender;
  /** Claims, failed records and kept copies: this worker's port on the delivery ledger. */
  ledger: DeliveryLedger;
  /** The latest version of each meeting and document, which the renderer records. */
  versions: SubjectVersionReader;
  delay: Delays;
  policy: RetryPolicy;
  topics: Topics;
  /** Appears in dead letters ("worker-sms"). */
  service: string;
  sendTimeoutMs: number;
  /** The claim's lease: how long a `sending` claim protects a send. */
  leaseMs: number;
  /** Deferral wait when another owner still holds the claim. */
  busyRetryMs: number;
  logger: Logger;
  /** Queues a record for the status / dead-letter topics; the batch waits for its acknowledgement before committing. */
  publish: (record: OutgoingRecord) => void;
  /** Told when something was scheduled, so the mover can wake up early for it. */
  onScheduled?: (dueAt: number) => void;
  random?: () => number;
  /** True once the worker is stopping: a claim wait gives up at once. */
  stopping?: { aborted: boolean };
  /**
   * Keep a copy of each message these providers accept, this long, for a carrier's later
   * "undelivered" (see DeliveryLedger.keepSentCopy).
   */
  keepSentCopy?: { ttlMs: number; providers: readonly string[] };
}

function parseIncoming(record: IncomingRecord, channel: Channel): { ok: true; message: ChannelMessage } | { ok: false; reason: string; issues?: Array<{ path: string; message: string }> } {
  let json: unknown;
  try {
    json = JSON.parse(record.value);
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
  const parsed = channelMessageSchema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      reason: 'the message does not match the contracts',
      issues: parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
    };
  }
  if (parsed.data.channel !== channel) return { ok: false, reason: `a ${parsed.data.channel} message on the ${channel} worker's topic` };
  return { ok: true, message: parsed.data };
}

/**
 * One message, from the consumed record to a settled state: sent, scheduled for a retry, deferred,
 * or given up (failed / dead, dead-lettered). Throws only for infrastructure failures (Redis), so
 * the batch is not committed and the record comes back.
 */
export async function deliver(record: IncomingRecord, deps: DeliverDeps): Promise<Outcome> {
  const { ledger, logger, topics } = deps;
  const parsed = parseIncoming(record, deps.channel);
  if (!parsed.ok) {
    deps.publish(deadLetterRecord(topics, deps.service, record, parsed.reason, parsed.issues));
    logger.warn({ topic: record.topic, partition: record.partition, offset: record.offset, reason: parsed.reason }, 'message dead-lettered: invalid');
    return 'invalid';
  }
  const message = parsed.message;
  const correlationId = record.headers['correlation-id'] ?? message.correlationId;
  const status: StatusFn = (state, extra) => deps.publish(statusRecord(topics, deliveryStatus(message, state, extra), correlationId));
  const log = logger.child({ messageId: message.id, eventId: message.eventId, correlationId, attempt: message.attempt });
  const fromRetry = record.topic === topics.retry[deps.channel];

  const claim = await ledger.claim(message.id, deps.stopping);
  if (claim.kind === 'done') {
    await repeatFinal(message, claim.claim, record, deps, status);
    log.debug({ state: claim.claim.state }, 'redelivered message already settled; provider not called');
    return 'duplicate';
  }
  if (claim.kind === 'busy') {
    await schedule(message, message.attempt, Date.now() + deps.busyRetryMs, record, deps);
    log.info('another replica still holds the claim; deferred');
    return 'deferred';
  }

  // Checked after the claim (a copy already sent repeats `sent` above), on every attempt: a retry
  // moved back from the delay queue comes through here too. One GET, auto-pipelined with the claim's neighbours.
  const reason = message.about === undefined ? undefined : supersededReason(message, await deps.versions.latest(message.about));
  if (reason !== undefined) {
    await ledger.release(message.id, claim.token);
    status('superseded', { attempt: message.attempt, reason });
    log.info({ reason }, 'superseded by a newer version of its subject; not sent');
    return 'superseded';
  }

  // Only a copy that will really be worked on says so: a redelivered settled one repeats its final status instead.
  if (!fromRetry && message.attempt === 1) status('queued');
  status('sending', { attempt: message.attempt });
  const claimedAt = Date.now();
  const sending = deps.sender.send(message);
  let result;
  try {
    // The send itself goes on past the timeout; onUnknownOutcome waits for its late answer.
    result = await withTimeout(sending, deps.sendTimeoutMs, () => new SendTimeoutError(deps.sender.name, deps.sendTimeoutMs));
  } catch (thrown) {
    const err = asProviderError(thrown, deps.sender.name);
    if (err instanceof SendTimeoutError) return onUnknownOutcome(message, err, sending, claimedAt, record, deps, status, log);
    return onFailure(message, err, claim.token, record, deps, status, log);
  }
  const at = new Date().toISOString();
  // The order that keeps sends single: mark before anything can make the record come back.
  // The copy rides along (one round trip with auto-pipelining); only the mark can fail the step.
  await Promise.all([ledger.markSent(message.id, { at, attempt: message.attempt, provider: result.provider, providerMessageId: result.providerMessageId }), keepSentCopy(message, result.provider, deps, log)]);
  status('sent', { at, attempt: message.attempt, provider: result.provider, providerMessageId: result.providerMessageId });
  log.debug({ provider: result.provider }, 'sent');
  return 'sent';
}

/** Only a later resend needs the copy; the send itself is settled, so a Redis hiccup here costs no more than that. */
async function keepSentCopy(message: ChannelMessage, provider: string, deps: DeliverDeps, log: Logger): Promise<void> {
  const keep = deps.keepSentCopy;
  if (!keep || !keep.providers.includes(provider)) return;
  await deps.ledger.keepSentCopy(message, keep.ttlMs).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'could not keep a copy of the sent message; a carrier "undelivered" for it cannot be resent'));
}

type StatusFn = (status: Parameters<typeof deliveryStatus>[1], extra?: Parameters<typeof deliveryStatus>[2]) => void;

async function onFailure(message: ChannelMessage, err: ProviderError, token: string | undefined, record: IncomingRecord, deps: DeliverDeps, status: StatusFn, log: Logger): Promise<Outcome> {
  const provider = err.details.provider;
  if (err instanceof ThrottledError) {
    await schedule(message, message.attempt, Date.now() + Math.max(err.details.retryAfterMs ?? 0, 50), record, deps);
    if (token) await deps.ledger.release(message.id, token);
    log.debug({ provider, waitMs: err.details.retryAfterMs }, 'no rate-limit slot in time; deferred');
    return 'deferred';
  }
  if (err.errorClass === 'transient' && message.attempt < deps.policy.maxAttempts) {
    const dueAt = Date.now() + retryDelay(deps.policy, message.attempt, { retryAfterMs: err.details.retryAfterMs, random: deps.random });
    await schedule(message, message.attempt + 1, dueAt, record, deps);
    if (token) await deps.ledger.release(message.id, token);
    const nextAttemptAt = new Date(dueAt).toISOString();
    status('retrying', { attempt: message.attempt, provider, error: err, reason: err.message, nextAttemptAt });
    log.info({ provider, code: err.details.code, nextAttemptAt }, 'transient failure; retry scheduled');
    return 'retrying';
  }
  const state = err.errorClass === 'permanent' ? 'failed' : 'dead';
  const reason = state === 'failed' ? `permanent error from ${provider}: ${err.message}` : `gave up after ${message.attempt} attempts; last error from ${provider}: ${err.message}`;
  const failed: FailedRecord = {
    messageId: message.id,
    eventId: message.eventId,
    channel: message.channel,
    recipient: message.recipient,
    state,
    reason,
    errorClass: err.errorClass,
    code: err.details.code,
    provider,
    providerAnswer: err.details.answer,
    attempts: message.attempt,
    at: new Date().toISOString(),
    message,
  };
  await deps.ledger.recordFailure(failed);
  deps.publish(deadLetterRecord(deps.topics, deps.service, record, reason));
  status(state, { at: failed.at, attempt: message.attempt, provider, error: err, reason });
  log.warn({ provider, code: err.details.code, state }, state === 'failed' ? 'permanent failure; dead-lettered' : 'attempts exhausted; dead-lettered');
  return state;
}

/**
 * The send outlived the worker's limit: the provider may still accept it. The claim is kept (it
 * expires with its lease) and the retry is due only after the lease, so a late acceptance still
 * marks the message sent and the retry finds it so; only a send still unanswered after the whole
 * lease can be repeated.
 */
async function onUnknownOutcome(message: ChannelMessage, err: SendTimeoutError, sending: Promise<SendResult>, claimedAt: number, record: IncomingRecord, deps: DeliverDeps, status: StatusFn, log: Logger): Promise<Outcome> {
  sending.then(
    async (late) => {
      const at = new Date().toISOString();
      await Promise.all([deps.ledger.markSent(message.id, { at, attempt: message.attempt, provider: late.provider, providerMessageId: late.providerMessageId }), keepSentCopy(message, late.provider, deps, log)]);
      status('sent', { at, attempt: message.attempt, provider: late.provider, providerMessageId: late.providerMessageId });
      log.warn({ provider: late.provider }, 'a send that timed out was accepted late; marked sent');
    },
    () => undefined,
  ).catch((markErr: unknown) => log.error({ err: (markErr as Error).message }, 'could not mark a late acceptance'));
  if (message.attempt >= deps.policy.maxAttempts) return onFailure(message, err, undefined, record, deps, status, log);
  const leaseLeft = claimedAt + deps.leaseMs - Date.now();
  const dueAt = Date.now() + Math.max(retryDelay(deps.policy, message.attempt, { random: deps.random }), leaseLeft + 250);
  await schedule(message, message.attempt + 1, dueAt, record, deps);
  const nextAttemptAt = new Date(dueAt).toISOString();
  status('retrying', { attempt: message.attempt, provider: err.details.provider, error: err, reason: err.message, nextAttemptAt });
  log.warn({ provider: err.details.provider, nextAttemptAt }, 'send timed out, outcome unknown; claim kept until its lease ends, retry scheduled after it');
  return 'retrying';
}

async function schedule(message: ChannelMessage, attempt: number, dueAt: number, record: IncomingRecord, deps: DeliverDeps): Promise<void> {
  const headers: Record<string, string> = { ...record.headers, 'message-id': message.id, attempt: String(attempt) };
  await deps.delay.schedule({ message: { ...message, attempt }, key: record.key, headers, dueAt, scheduledAt: Date.now() });
  deps.onScheduled?.(dueAt);
}

/**
 * A copy of a settled message came back (a crash or a rebalance between the claim's final mark and
 * the commit). Its final status is published again, since it may never have left; consumers of
 * the status topic treat statuses as idempotent.
 */
async function repeatFinal(message: ChannelMessage, claim: FinalClaim, record: IncomingRecord, deps: DeliverDeps, status: StatusFn): Promise<void> {
  if (claim.state === 'sent') {
    status('sent', { at: claim.at, attempt: claim.attempt, provider: claim.provider, providerMessageId: claim.providerMessageId });
    return;
  }
  const failed = await deps.ledger.getFailed(message.id);
  const reason = failed?.reason ?? `${claim.state} earlier`;
  // A dead letter for a message that already has one adds nothing and confuses a count; only the
  // copy that is still the one that failed (same attempt) repeats it, in case it was lost.
  if (claim.attempt === message.attempt) deps.publish(deadLetterRecord(deps.topics, deps.service, record, reason));
  const error = failed ? new ProviderError(failed.reason, failed.errorClass, { provider: failed.provider ?? 'unknown', code: failed.code }) : undefined;
  status(claim.state, { at: claim.at, attempt: claim.attempt, provider: failed?.provider, reason, error });
}
