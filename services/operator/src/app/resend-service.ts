import { hash } from 'node:crypto';
import { channelMessageSchema, emailSchema, normalizePhone, type ChannelMessage, type DeliveryState, type DeliveryStatus, type MessageSummary, type Topics } from '@gateway/contracts';
import type { FailedRecord } from '@gateway/delivery-ledger';
import type { OutgoingRecord } from '@gateway/bus';
import { ReaddressError, readdressMessage } from '@gateway/contracts';
import type { OperatorStores } from '../data-access/stores';
import type { ResendRecord, TakeInFlight } from '../data-access/resend-store';
import { RESENDABLE_STATES, SUCCESS_STATES, type NotificationRecord } from '../domain/notification';
import { latestContact, type Contact } from '../domain/resend-chain';
import type { Publisher } from './publisher';

export interface ResendRequest {
  originalId: string;
  phone?: string;
  email?: string;
  updateDirectory?: boolean;
  requestId?: string;
  actor: string;
  jobId?: string;
}

export type FieldError = { path: string; message: string; code?: string };

export type ResendResult =
  | { kind: 'accepted'; resendId: string; messageId: string; replayed: boolean; record: ResendRecord; directory?: DirectoryOutcome }
  | { kind: 'invalid'; errors: FieldError[] }
  | { kind: 'not-found' }
  | { kind: 'conflict'; code: ConflictCode; detail: string; status?: DeliveryState };

export type ConflictCode = 'already-delivered' | 'already-resent' | 'not-resendable' | 'no-copy' | 'request-reused' | 'cannot-readdress' | 'cannot-build';

export type DirectoryOutcome = { state: 'updated'; before: Record<string, string | undefined>; after: Record<string, string | undefined> } | { state: 'not-in-directory' } | { state: 'unavailable' };

export interface ResendServiceOptions {
  /** Without a requestId, the same resend (same original, same corrections) within this window is one. */
  autoWindowMs: number;
  /** How long a requestId is remembered. */
  requestWindowMs: number;
  /**
   * How long a resend stored but not yet published counts as on its way: past it, the process that
   * stored it crashed before publishing, and the chain may be resent again (the same request id
   * still finishes it if nothing else went out meanwhile).
   */
  inFlightMs: number;
}

const DEFAULT_RESEND_OPTIONS: ResendServiceOptions = { autoWindowMs: 10 * 60_000, requestWindowMs: 7 * 24 * 3600_000, inFlightMs: 5 * 60_000 };

const digest = (text: string) => hash('sha256', text, 'hex');

/** Links followed from a resend to its original (older resends could name an earlier resend). */
const MAX_CHAIN_HOPS = 16;

/**
 * A resend still on its way or already through: resending the original again would reach the
 * person twice. One stored but never published is on its way only for a short while (see inFlightMs).
 */
function isActive(resend: ResendRecord, status: DeliveryState | undefined, staleBefore: number): boolean {
  if (!resend.published) return Date.parse(resend.at) >= staleBefore;
  return status === undefined || !RESENDABLE_STATES.has(status);
}

/** Said to the clerk as it is (the console shows a field's message when it carries a code). */
const CANNOT_READDRESS_VI = 'lời mời họp của tin này không ghi địa chỉ email đã gửi, nên không đổi được sang địa chỉ mới; hãy gửi lại mà không sửa email.';

function checkCorrections(req: ResendRequest): { phone?: string; email?: string; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const out: { phone?: string; email?: string; errors: FieldError[] } = { errors };
  if (req.phone !== undefined) {
    const result = normalizePhone(req.phone);
    if (result.ok) out.phone = result.e164;
    else errors.push({ path: 'phone', message: result.reason });
  }
  if (req.email !== undefined) {
    const result = emailSchema.safeParse(req.email);
    if (result.success) out.email = result.data;
    else errors.push({ path: 'email', message: 'must be an email address, e.g. nvan@danang.gov.vn' });
  }
  return out;
}

export class ResendService {
  constructor(
    private readonly deps: { stores: OperatorStores; publisher: Publisher; topics: Topics; options?: Partial<ResendServiceOptions>; now?: () => number },
  ) {}

  private get options(): ResendServiceOptions {
    return { ...DEFAULT_RESEND_OPTIONS, ...this.deps.options };
  }

  /**
   * Resends the chain the message belongs to (its original and the resends that replace it), from
   * the original's kept copy, to where the chain's latest attempt went plus the corrections. A
   * request names the resend per chain: a job's items, or two clicks on an original and on its
   * failed resend, give one message, never one per row.
   */
  async resend(req: ResendRequest): Promise<ResendResult> {
    const { stores } = this.deps;
    const checked = checkCorrections(req);
    if (req.updateDirectory && checked.phone === undefined && checked.email === undefined && checked.errors.length === 0) {
      checked.errors.push({ path: 'updateDirectory', message: 'needs a corrected phone or email to write into the directory' });
    }
    if (checked.errors.length) return { kind: 'invalid', errors: checked.errors };

    const now = (this.deps.now ?? Date.now)();
    const requested = (await stores.notifications.getMany([req.originalId])).get(req.originalId);
    const chainId = await this.chainOf(req.originalId, requested);
    const correctionKey = digest(`${checked.phone ?? ''}\n${checked.email ?? ''}`).slice(0, 16);
    const requestKey = req.jobId ? `job:${req.jobId}` : req.requestId ? `req:${req.requestId}` : `auto:${correctionKey}`;
    // A requestId (or a job) names the resend: the same one always gives the same message id, so
    // even a repeat after the window is deduplicated by the worker's claim. Without one, the
    // window in the store makes repeats one resend; a later one is a new resend on purpose.
    const h = digest(requestKey.startsWith('auto:') ? `${chainId}\n${requestKey}\n${now}` : `${chainId}\n${requestKey}`);
    const resendId = `rs-${h.slice(0, 24)}`;

    if (!requestKey.startsWith('auto:')) {
      const existing = await stores.resends.get(resendId);
      if (existing) return this.replay(existing, checked);
    }
    const chain = await stores.resends.resendsOf(chainId);
    if (requestKey.startsWith('auto:')) {
      const recent = chain.find((r) => r.requestKey === requestKey && Date.parse(r.at) + this.options.autoWindowMs > now);
      if (recent) return this.replay(recent, checked);
    }

    const { record, failed } = await this.load(chainId);
    if (!requested && !record && !failed) return { kind: 'not-found' };
    // A job's item is its chain's latest attempt when the job was created: a resend of the chain
    // since (another job, a click) already answered for it, even one that failed again.
    const since = req.jobId ? chain.filter((r) => r.resendId !== resendId).at(-1) : undefined;
    if (since && since.messageId !== req.originalId) return this.alreadyResent(since.resendId, since, (await stores.notifications.getMany([since.messageId])).get(since.messageId)?.status);
    const refused = await this.refusal(requested ?? record, failed, chain.filter((r) => r.resendId !== resendId), now);
    if (refused) return refused;
    const original = failed as FailedRecord;
    const take = await this.inFlightTake(chainId, now);
    if ('busy' in take) return take.busy;

    const at = new Date(now).toISOString();
    const before = latestContact(original.recipient, chain);
    const corrections: ResendRecord['corrections'] = {};
    if (checked.phone !== undefined) corrections.phone = { ...(before.phone ? { before: before.phone } : {}), after: checked.phone };
    if (checked.email !== undefined) corrections.email = { ...(before.email ? { before: before.email } : {}), after: checked.email };
    const contact: Contact = { ...before, ...(checked.phone !== undefined ? { phone: checked.phone } : {}), ...(checked.email !== undefined ? { email: checked.email } : {}) };
    const candidate: ResendRecord = {
      resendId,
      messageId: `r-${h.slice(0, 32)}`,
      originalId: chainId,
      channel: original.channel,
      requestKey,
      by: req.actor,
      at,
      ...(req.jobId ? { jobId: req.jobId } : {}),
      ...(Object.keys(corrections).length ? { corrections } : {}),
      contact,
      published: false,
    };
    // Built before anything is stored: a message that cannot be built is a refusal, never a
    // stored resend that blocks its chain.
    const built = this.compose(candidate, original, record, checked.email !== undefined);
    if (built.kind !== 'built') return built;
    const windowMs = requestKey.startsWith('auto:') ? this.options.autoWindowMs : this.options.requestWindowMs;
    const claimed = await stores.resends.claim(candidate, windowMs, take);
    if (claimed.kind === 'existing') return this.replay(claimed.record, checked);
    if (claimed.kind === 'busy') return this.alreadyResent(claimed.holder.split(' ')[0] ?? '');

    const directory = req.updateDirectory ? await this.updateDirectory(original, checked) : undefined;
    await this.publish(candidate, built.records);
    return { kind: 'accepted', resendId, messageId: candidate.messageId, replayed: false, record: { ...candidate, published: true }, ...(directory ? { directory } : {}) };
  }

  /**
   * The original a message's resends replace: the message itself, or the original its resend
   * names. Resends made before chains may name an earlier resend; those links are followed up.
   */
  private async chainOf(messageId: string, record: NotificationRecord | undefined): Promise<string> {
    let id = messageId;
    let current = record;
    for (let hop = 0; hop < MAX_CHAIN_HOPS; hop += 1) {
      const up = current?.resendOf ?? (await this.deps.stores.resends.byMessage(id))?.originalId;
      if (up === undefined || up === id) return id;
      id = up;
      current = (await this.deps.stores.notifications.getMany([id])).get(id);
    }
    return id;
  }

  /** The chain's original: its current state and its kept copy, read together. */
  private async load(originalId: string): Promise<{ record: NotificationRecord | undefined; failed: FailedRecord | undefined }> {
    const [records, failed] = await Promise.all([this.deps.stores.notifications.getMany([originalId]), this.deps.stores.failed.getFailed(originalId)]);
    return { record: records.get(originalId), failed };
  }

  /** Why this chain must not be resent now, if so: the message asked for went through, no copy is kept, or another resend of the chain is on its way or went through. */
  private async refusal(record: NotificationRecord | undefined, failed: FailedRecord | undefined, others: readonly ResendRecord[], now: number): Promise<ResendResult | undefined> {
    if (record && SUCCESS_STATES.has(record.status)) return { kind: 'conflict', code: 'already-delivered', status: record.status, detail: `The message is ${record.status}; it is not sent again.` };
    if (record && !RESENDABLE_STATES.has(record.status)) return { kind: 'conflict', code: 'not-resendable', status: record.status, detail: `The message is ${record.status}; only failed, dead or undelivered messages are resent.` };
    if (!failed) return { kind: 'conflict', code: 'no-copy', ...(record ? { status: record.status } : {}), detail: 'No copy of this message is kept (only messages the workers gave up on keep one), so it cannot be resent from here.' };
    if (others.length) {
      const states = await this.deps.stores.notifications.getMany(others.map((o) => o.messageId));
      const active = others.find((o) => isActive(o, states.get(o.messageId)?.status, now - this.options.inFlightMs));
      if (active) return { kind: 'conflict', code: 'already-resent', detail: `Already resent as ${active.messageId} by ${active.by} at ${active.at}; that resend is ${states.get(active.messageId)?.status ?? 'on its way'}.` };
    }
    return undefined;
  }

  /**
   * How this resend may take its chain's in-flight marker: it is free, or its holder settled (failed
   * again, or stored and never published, past inFlightMs) and is replaced. The store takes the
   * marker atomically with the claim, so of two resends that both judged it free one wins.
   */
  private async inFlightTake(chainId: string, now: number, self?: string): Promise<TakeInFlight | { busy: ResendResult }> {
    const { resends, notifications } = this.deps.stores;
    const holder = await resends.inFlight(chainId);
    if (!holder) return { replacing: null, at: now };
    const held = holder.resendId === self ? undefined : await resends.get(holder.resendId);
    if (held) {
      const status = held.published ? (await notifications.getMany([held.messageId])).get(held.messageId)?.status : undefined;
      const staleBefore = now - this.options.inFlightMs;
      // An unpublished holder is judged by when it took the marker: finishing it takes it afresh.
      if (held.published ? isActive(held, status, staleBefore) : holder.takenAt >= staleBefore) return { busy: this.alreadyResent(held.resendId, held, status) };
    }
    return { replacing: holder.token, at: now };
  }

  private alreadyResent(resendId: string, held?: ResendRecord, status?: DeliveryState): ResendResult {
    const what = held ? `as ${held.messageId} by ${held.by} at ${held.at}; that resend is ${status ?? 'on its way'}` : `(resend ${resendId} is on its way)`;
    return { kind: 'conflict', code: 'already-resent', detail: `Already resent ${what}.` };
  }

  /** The same resend again: nothing new is sent; if the first was interrupted before the bus acknowledged it, it is finished now, unless another resend of the chain went out meanwhile. */
  private async replay(existing: ResendRecord, checked: { phone?: string; email?: string }): Promise<ResendResult> {
    const same = (existing.corrections?.phone?.after ?? undefined) === checked.phone && (existing.corrections?.email?.after ?? undefined) === checked.email;
    if (!same && !existing.requestKey.startsWith('job:')) return { kind: 'conflict', code: 'request-reused', detail: `This request id was already used for resend ${existing.resendId} with other corrections.` };
    if (!existing.published) {
      const { record, failed } = await this.load(existing.originalId);
      if (!failed) return { kind: 'conflict', code: 'no-copy', detail: 'The copy of the original message is no longer kept.' };
      const built = this.compose(existing, failed, record, checked.email !== undefined);
      if (built.kind !== 'built') return built;
      const now = (this.deps.now ?? Date.now)();
      const take = await this.inFlightTake(existing.originalId, now, existing.resendId);
      if ('busy' in take) return take.busy;
      if (!(await this.deps.stores.resends.takeInFlight(existing.originalId, existing.resendId, take))) return this.alreadyResent(existing.resendId);
      await this.publish(existing, built.records);
    }
    return { kind: 'accepted', resendId: existing.resendId, messageId: existing.messageId, replayed: true, record: { ...existing, published: true } };
  }

  private async updateDirectory(original: FailedRecord, checked: { phone?: string; email?: string }): Promise<DirectoryOutcome> {
    const directory = this.deps.stores.directory;
    if (!directory) return { state: 'unavailable' };
    const person = await directory.getPerson(original.recipient.id);
    if (!person) return { state: 'not-in-directory' };
    const next = { ...person, ...(checked.phone !== undefined ? { phone: checked.phone } : {}), ...(checked.email !== undefined ? { email: checked.email } : {}) };
    await directory.upsertPerson(next);
    return { state: 'updated', before: { phone: person.phone, email: person.email }, after: { phone: next.phone, email: next.email } };
  }

  /**
   * What a resend publishes, derived from its record alone, so a repeat publishes the same bytes:
   * the first status (with who it is for and what it replaces), then the message. Pure: what cannot
   * be built (an invitation that does not name the address it was sent to) is a refusal, naming
   * the corrected email when the request gave one.
   */
  private compose(resend: ResendRecord, original: FailedRecord, record: NotificationRecord | undefined, emailCorrected: boolean): { kind: 'built'; records: OutgoingRecord[] } | Extract<ResendResult, { kind: 'invalid' | 'conflict' }> {
    const { topics } = this.deps;
    const recipient = { ...original.message.recipient, ...latestContact(original.message.recipient, [resend]) };
    let message: ChannelMessage;
    try {
      const readdressed = readdressMessage(original.message, recipient);
      message = channelMessageSchema.parse({ ...readdressed, id: resend.messageId, createdAt: resend.at, attempt: 1, resendOf: resend.originalId });
    } catch (err) {
      if (err instanceof ReaddressError && emailCorrected) return { kind: 'invalid', errors: [{ path: 'email', code: 'cannot-readdress', message: CANNOT_READDRESS_VI }] };
      if (err instanceof ReaddressError) return { kind: 'conflict', code: 'cannot-readdress', detail: `The invitation cannot be sent to the chain's corrected address: ${err.message}.` };
      return { kind: 'conflict', code: 'cannot-build', detail: `The kept copy cannot be made into a message again: ${(err as Error).message}` };
    }
    const summaryRecipient: MessageSummary['recipient'] = { id: recipient.id, name: recipient.name, ...(recipient.phone ? { phone: recipient.phone } : {}), ...(recipient.email ? { email: recipient.email } : {}) };
    const summary: MessageSummary = {
      ...(record?.summary ?? { eventType: message.eventType, urgency: message.urgency, ...(message.secrecy ? { secrecy: message.secrecy } : {}) }),
      recipient: summaryRecipient,
    };
    const status: DeliveryStatus = { messageId: message.id, eventId: message.eventId, channel: message.channel, status: 'rendered', at: resend.at, summary, resendOf: resend.originalId };
    const headers = { 'event-id': message.eventId, 'correlation-id': message.correlationId, 'message-id': message.id, 'resend-of': resend.originalId };
    return {
      kind: 'built',
      records: [
        { topic: topics.status, key: message.id, value: JSON.stringify(status), headers: { ...headers, 'message-status': 'rendered' } },
        { topic: topics[message.channel], key: recipient.id, value: JSON.stringify(message), headers },
      ],
    };
  }

  /** The first status is acknowledged before the message itself, so the worker's statuses always come after it. */
  private async publish(resend: ResendRecord, records: OutgoingRecord[]): Promise<void> {
    await this.deps.publisher.publish(records);
    await this.deps.stores.resends.markPublished(resend.resendId);
  }
}
