import { CHANNELS, DELIVERY_STATES, FINAL_DELIVERY_STATES, type Channel, type DeliveryState, type DeliveryStatus, type MessageSummary, type Urgency } from '@gateway/contracts';

/** The read model of one message: its current state and who it is for. */
export interface NotificationRecord {
  messageId: string;
  eventId: string;
  channel: Channel;
  /** The current state: the latest transition, except that a final state is not undone by a late echo. */
  status: DeliveryState;
  attempts: number;
  provider?: string;
  providerMessageId?: string;
  lastError?: DeliveryStatus['error'];
  reason?: string;
  nextAttemptAt?: string;
  firstSeenAt: string;
  updatedAt: string;
  /** From the message's first status (the renderer's, or an operator resend's). */
  summary?: MessageSummary;
  resendOf?: string;
}

export interface NotificationView extends NotificationRecord {
  history: DeliveryStatus[];
}

const FINAL = FINAL_DELIVERY_STATES;
/** How far along a state is; a final state is only replaced by a later one (or a new attempt). */
export const STATUS_RANK: Readonly<Record<DeliveryState, number>> = { rendered: 0, skipped: 1, queued: 1, sending: 2, retrying: 2, sent: 3, undelivered: 4, delivered: 4, failed: 4, dead: 4, superseded: 4, read: 5 };
const RANK = STATUS_RANK;

/**
 * Whether a status moves the current state. Statuses arrive at least once and not always in
 * order: a final state only moves forward when a new attempt starts, a late "sending" does not hide
 * "sent", and "rendered" (always the first) never replaces anything. The Redis adapter's Lua
 * script implements the same rule from the same tables (it embeds FINAL_DELIVERY_STATES and
 * STATUS_RANK as Lua); the shared store suite runs every transition through both.
 */
function moves(current: { status: DeliveryState; attempts: number } | undefined, s: DeliveryStatus): boolean {
  if (!current) return true;
  const attempt = s.attempt ?? current.attempts;
  if (s.status === 'rendered') return false;
  if (FINAL.has(current.status) && attempt <= current.attempts && RANK[s.status] <= RANK[current.status]) return false;
  if (current.status === 'sent' && (s.status === 'sending' || s.status === 'queued') && attempt <= current.attempts) return false;
  return true;
}

/** The duplicate fingerprint of a status: the same transition recorded twice is one. */
export function fingerprint(s: DeliveryStatus): string {
  return `${s.status}|${s.attempt ?? ''}|${s.at}`;
}

const LONE_SURROGATE = /\p{Cs}/gu;

/**
 * The status with every lone UTF-16 surrogate replaced by U+FFFD (what `String.prototype.toWellFormed`
 * does). JSON.stringify writes a lone surrogate as a `\udXXX` escape, which is valid JSON but one
 * Redis's cjson refuses ("invalid unicode escape"), so the strings are mended before they are
 * serialized, in the one walk JSON.stringify makes anyway. The text is for people to read: one
 * replaced character keeps who the message is for, where refusing the status would lose it.
 */
export function wellFormedStatus(s: DeliveryStatus): DeliveryStatus {
  return JSON.parse(JSON.stringify(s, (_key, value: unknown) => (typeof value === 'string' ? value.replace(LONE_SURROGATE, '\ufffd') : value))) as DeliveryStatus;
}

/** Applies one status to a record (the in-memory adapter's version of the Lua script). */
export function applyToRecord(current: NotificationRecord | undefined, s: DeliveryStatus): NotificationRecord {
  const next: NotificationRecord = current ? { ...current } : { messageId: s.messageId, eventId: s.eventId, channel: s.channel, status: s.status, attempts: 0, firstSeenAt: s.at, updatedAt: s.at };
  if (s.summary) next.summary = s.summary;
  if (s.resendOf) next.resendOf = s.resendOf;
  const attempt = s.attempt ?? next.attempts;
  const move = moves(current, s);
  if (attempt > next.attempts) next.attempts = attempt;
  if (move) {
    next.status = s.status;
    next.updatedAt = s.at;
    if (s.provider) next.provider = s.provider;
    if (s.providerMessageId) next.providerMessageId = s.providerMessageId;
    if (s.reason) next.reason = s.reason;
    if (s.nextAttemptAt) next.nextAttemptAt = s.nextAttemptAt;
    else delete next.nextAttemptAt;
    if (s.error) next.lastError = s.error;
  }
  return next;
}

/** Lower case, no diacritics (đ → d): "Nguyễn Văn Ân" and "nguyen van an" match. */
export function foldText(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase().trim();
}

function phoneForms(e164: string): string[] {
  const digits = e164.replace(/^\+/, '');
  return digits.startsWith('84') ? [digits, `0${digits.slice(2)}`] : [digits];
}

/** What a recipient query is matched against: folded name, phone in international and national digits, email. */
export function searchText(summary: MessageSummary | undefined): string {
  if (!summary) return '';
  const r = summary.recipient;
  return [foldText(r.name), ...(r.phone ? phoneForms(r.phone) : []), r.email ? r.email.toLowerCase() : '', r.id.toLowerCase()].filter(Boolean).join('|');
}

/** A name matches by folded substring; a phone typed with spaces, dots or a leading + matches by digits. */
export function matchesRecipient(text: string, query: string): boolean {
  const q = foldText(query);
  if (q === '') return true;
  if (text.includes(q)) return true;
  const digits = query.replace(/[\s().+-]/g, '');
  return /^\d{3,}$/.test(digits) && text.includes(digits);
}

export const SORTS = ['-updatedAt', 'updatedAt'] as const;
export type Sort = (typeof SORTS)[number];

export interface NotificationFilter {
  status?: DeliveryState[];
  channel?: Channel[];
  urgency?: Urgency[];
  eventId?: string;
  source?: string;
  recipient?: string;
  /** Epoch ms, inclusive bounds on updatedAt. */
  from?: number;
  to?: number;
  /** Only each chain's latest attempt: a notification a later resend replaced is left out (one row per chain). */
  latestOnly?: boolean;
}

export interface SearchQuery extends NotificationFilter {
  page: number;
  pageSize: number;
  sort: Sort;
}

export interface Totals {
  byStatus: Record<string, number>;
  byChannel: Record<string, number>;
}

export interface SearchPage {
  items: NotificationRecord[];
  total: number;
  totals: Totals;
}

export function emptyTotals(): Totals {
  return { byStatus: Object.fromEntries(DELIVERY_STATES.map((s) => [s, 0])), byChannel: Object.fromEntries(CHANNELS.map((c) => [c, 0])) };
}

/** The filter on one record, for adapters that scan (the in-memory one) and for the recipient pass of the Redis one. */
export function matchesFilter(record: NotificationRecord, filter: NotificationFilter, text = searchText(record.summary)): boolean {
  const at = Date.parse(record.updatedAt);
  if (filter.status && !filter.status.includes(record.status)) return false;
  if (filter.channel && !filter.channel.includes(record.channel)) return false;
  if (filter.urgency && !(record.summary?.urgency && filter.urgency.includes(record.summary.urgency))) return false;
  if (filter.eventId !== undefined && record.eventId !== filter.eventId) return false;
  if (filter.source !== undefined && record.summary?.source !== filter.source) return false;
  if (filter.from !== undefined && at < filter.from) return false;
  if (filter.to !== undefined && at > filter.to) return false;
  if (filter.recipient !== undefined && !matchesRecipient(text, filter.recipient)) return false;
  return true;
}

/** A time range given as ISO 8601 (query strings, job filters) as the stores take it: epoch ms. */
export function toEpochRange<T extends { from?: string; to?: string }>(filter: T): Omit<T, 'from' | 'to'> & { from?: number; to?: number } {
  const { from, to, ...rest } = filter;
  return { ...rest, ...(from ? { from: Date.parse(from) } : {}), ...(to ? { to: Date.parse(to) } : {}) };
}

/** States in which a message reached (or is reaching) the person: a resend would be a double. */
export const SUCCESS_STATES: ReadonlySet<DeliveryState> = new Set(['sent', 'delivered', 'read']);
/** States an operator may resend from. */
export const RESENDABLE_STATES: ReadonlySet<DeliveryState> = new Set(['failed', 'dead', 'undelivered']);
