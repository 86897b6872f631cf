import { hash } from 'node:crypto';
import { channelMessageSchema, emailSchema, normalizePhone, type ChannelMessage, type DeliveryState, type DeliveryStatus, type MessageSummary, type Topics } from '@gateway/contracts';
import type { FailedRecord } from '@gateway/worker-core';
import { readdressMessage } from '@gateway/renderer/src/render/readdress';
import type { OperatorStores } from '../data-access/stores';
import type { ResendRecord } from '../data-access/resend-store';
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

export type FieldError = { path: string; message: string };

export type ResendResult =
  | { kind: 'accepted'; resendId: string; messageId: string; replayed: boolean; record: ResendRecord; directory?: DirectoryOutcome }
  | { kind: 'invalid'; errors: FieldError[] }
  | { kind: 'not-found' }
  | { kind: 'conflict'; code: 'already-delivered' | 'already-resent' | 'not-resendable' | 'no-copy' | 'request-reused'; detail: string; status?: DeliveryState };

export type DirectoryOutcome = { state: 'updated'; before: Record<string, string | undefined>; after: Record<string, string | undefined> } | { state: 'not-in-directory' } | { state: 'unavailable' };

export interface ResendServiceOptions {
  /** Without a requestId, the same resend (same original, same corrections) within this window is one. */
  autoWindowMs: number;
  /** How long a requestId is remembered. */
  requestWindowMs: number;
}

const DEFAULT_RESEND_OPTIONS: ResendServiceOptions = { autoWindowMs: 10 * 60_000, requestWindowMs: 7 * 24 * 3600_000 };

const digest = (text: string) => hash('sha256', text, 'hex');

/** Links followed from a resend to its original (older resends could name an earlier resend). */
const MAX_CHAIN_HOPS = 16;

/** A resend still on its way or already through: resending the original again would reach the person twice. */
function isActive(status: DeliveryState | undefined): boolean {
  return status === undefined || !RESENDABLE_STATES.has(status);
}

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
    private readonly deps: { stores: OperatorStores; publisher: Publisher; topics: Topics; options?: ResendServiceOptions; now?: () => number },
  ) {}

  private get options(): ResendServiceOptions {
    return this.deps.options ?? DEFAULT_RESEND_OPTIONS;
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
    const refused = await this.refusal(requested ?? record, failed, chain.filter((r) => r.resendId !== resendId));
    if (refused) return refused;
    const original = failed as FailedRecord;

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
    const windowMs = requestKey.startsWith('auto:') ? this.options.autoWindowMs : this.options.requestWindowMs;
    const claimed = await stores.resends.claim(candidate, windowMs);
    if (!claimed.created) return this.replay(claimed.record, checked);

    const directory = req.updateDirectory ? await this.updateDirectory(original, checked) : undefined;
    await this.publish(claimed.record, original, record);
    return { kind: 'accepted', resendId, messageId: claimed.record.messageId, replayed: false, record: { ...claimed.record, published: true }, ...(directory ? { directory } : {}) };
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
    const [records, failed] = await Promise.all([this.deps.stores.notifications.getMany([originalId]), this.deps.stores.failed.get(originalId)]);
    return { record: records.get(originalId), failed };
  }

  /** Why this chain must not be resent now, if so: the message asked for went through, no copy is kept, or another resend of the chain is on its way or went through. */
  private async refusal(record: NotificationRecord | undefined, failed: FailedRecord | undefined, others: readonly ResendRecord[]): Promise<ResendResult | undefined> {
    if (record && SUCCESS_STATES.has(record.status)) return { kind: 'conflict', code: 'already-delivered', status: record.status, detail: `The message is ${record.status}; it is not sent again.` };
    if (record && !RESENDABLE_STATES.has(record.status)) return { kind: 'conflict', code: 'not-resendable', status: record.status, detail: `The message is ${record.status}; only failed, dead or undelivered messages are resent.` };
    if (!failed) return { kind: 'conflict', code: 'no-copy', ...(record ? { status: record.status } : {}), detail: 'No copy of this message is kept (only messages the workers gave up on keep one), so it cannot be resent from here.' };
    if (others.length) {
      const states = await this.deps.stores.notifications.getMany(others.map((o) => o.messageId));
      const active = others.find((o) => isActive(states.get(o.messageId)?.status));
      if (active) return { kind: 'conflict', code: 'already-resent', detail: `Already resent as ${active.messageId} by ${active.by} at ${active.at}; that resend is ${states.get(active.messageId)?.status ?? 'on its way'}.` };
    }
    return undefined;
  }

  /** The same resend again: nothing new is sent; if the first was interrupted before the bus acknowledged it, it is finished now. */
  private async replay(existing: ResendRecord, checked: { phone?: string; email?: string }): Promise<ResendResult> {
    const same = (existing.corrections?.phone?.after ?? undefined) === checked.phone && (existing.corrections?.email?.after ?? undefined) === checked.email;
    if (!same && !existing.requestKey.startsWith('job:')) return { kind: 'conflict', code: 'request-reused', detail: `This request id was already used for resend ${existing.resendId} with other corrections.` };
    if (!existing.published) {
      const { record, failed } = await this.load(existing.originalId);
      if (!failed) return { kind: 'conflict', code: 'no-copy', detail: 'The copy of the original message is no longer kept.' };
      await this.publish(existing, failed, record);
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
   * Everything published is derived from the stored resend record, so a repeat publishes the
   * same bytes: the first status (with who it is for and what it replaces), acknowledged before
   * the message itself, so the worker's statuses always come after it.
   */
  private async publish(resend: ResendRecord, original: FailedRecord, record: NotificationRecord | undefined): Promise<void> {
    const { topics } = this.deps;
    const recipient = { ...original.message.recipient, ...latestContact(original.message.recipient, [resend]) };
    const readdressed = readdressMessage(original.message, recipient);
    const message: ChannelMessage = channelMessageSchema.parse({ ...readdressed, id: resend.messageId, createdAt: resend.at, attempt: 1, resendOf: resend.originalId });
    const summaryRecipient: MessageSummary['recipient'] = { id: recipient.id, name: recipient.name, ...(recipient.phone ? { phone: recipient.phone } : {}), ...(recipient.email ? { email: recipient.email } : {}) };
    const summary: MessageSummary = {
      ...(record?.summary ?? { eventType: message.eventType, urgency: message.urgency, ...(message.secrecy ? { secrecy: message.secrecy } : {}) }),
      recipient: summaryRecipient,
    };
    const status: DeliveryStatus = { messageId: message.id, eventId: message.eventId, channel: message.channel, status: 'rendered', at: resend.at, summary, resendOf: resend.originalId };
    const headers = { 'event-id': message.eventId, 'correlation-id': message.correlationId, 'message-id': message.id, 'resend-of': resend.originalId };
    await this.deps.publisher.publish([
      { topic: topics.status, key: message.id, value: JSON.stringify(status), headers: { ...headers, 'message-status': 'rendered' } },
      { topic: topics[message.channel], key: recipient.id, value: JSON.stringify(message), headers },
    ]);
    await this.deps.stores.resends.markPublished(resend.resendId);
  }
}
