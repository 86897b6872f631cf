import { DELIVERY_STATES, type Channel, type DeliveryState } from '@gateway/contracts';
import type { NotificationRecord } from './notification';
import { chainOf, resendState, type LatestResend, type ResendState } from './resend-chain';

export interface ReportRecipient {
  id: string;
  name?: string;
  phone?: string;
  email?: string;
  /** Every message, resends included; one a later resend replaced names it in `resentAs`. */
  channels: Array<{ channel: Channel; messageId: string; status: DeliveryState; updatedAt: string; resendOf?: string; resentAs?: LatestResend; resendable: boolean }>;
  /** Some channel was sent, delivered or read (by the message or by a resend standing for it). */
  reached: boolean;
}

export interface EventReport {
  eventId: string;
  /** The sender (source) whose event this is, when its notifications name it. */
  source?: string;
  eventType?: string;
  /** Notifications, one per chain (an original and its resends count once), as the list shows them. */
  total: number;
  /** Each chain by the state of its latest attempt. */
  counts: Record<string, number>;
  recipients: ReportRecipient[];
  /** For meetings: recipients with no successful channel at all. */
  unreached?: Array<{ id: string; name?: string }>;
}

/**
 * Every recipient × channel with its current state. A resend stands for its original: the
 * original names it (`resentAs`), the person counts as reached when the resend was sent, and the
 * counts take each chain once, by its latest attempt, as the list does.
 */
export function buildEventReport(eventId: string, records: readonly NotificationRecord[], resends: ReadonlyMap<string, ResendState> = new Map()): EventReport {
  const counts: Record<string, number> = Object.fromEntries(DELIVERY_STATES.map((s) => [s, 0]));
  const people = new Map<string, ReportRecipient>();
  const chains = new Map<string, DeliveryState>();
  let eventType: string | undefined;
  const sorted = [...records].sort((a, b) => a.firstSeenAt.localeCompare(b.firstSeenAt));
  for (const r of sorted) {
    eventType ??= r.summary?.eventType;
    const state = resends.get(r.messageId) ?? resendState(r, undefined);
    chains.set(chainOf(r), state.current);
    const id = r.summary?.recipient.id ?? `(không rõ: ${r.messageId})`;
    const person = people.get(id) ?? { id, ...(r.summary ? { name: r.summary.recipient.name } : {}), channels: [], reached: false };
    const contact = r.summary?.recipient;
    if (contact?.phone) person.phone = contact.phone;
    if (contact?.email) person.email = contact.email;
    person.channels.push({ channel: r.channel, messageId: r.messageId, status: r.status, updatedAt: r.updatedAt, ...(r.resendOf ? { resendOf: r.resendOf } : {}), ...(state.resentAs ? { resentAs: state.resentAs } : {}), resendable: state.resendable });
    if (state.reached) person.reached = true;
    people.set(id, person);
  }
  for (const current of chains.values()) counts[current] = (counts[current] ?? 0) + 1;
  const recipients = [...people.values()].sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id, 'vi'));
  const report: EventReport = { eventId, ...(eventType ? { eventType } : {}), total: chains.size, counts, recipients };
  if (eventType?.startsWith('meeting.')) report.unreached = recipients.filter((p) => !p.reached).map((p) => ({ id: p.id, ...(p.name ? { name: p.name } : {}) }));
  return report;
}

/**
 * The senders (sources) whose notifications carry this event id, sorted: event ids are each
 * sender's own, so two senders' events may share one (docs/adr/0003-event-identity.md).
 */
export function sendersOf(records: readonly NotificationRecord[]): string[] {
  return [...new Set(records.flatMap((r) => (r.summary?.source ? [r.summary.source] : [])))].sort();
}

export type SenderChoice = { kind: 'one'; source: string | undefined } | { kind: 'ambiguous'; senders: string[] };

/**
 * Which sender's event a report is about: the one asked for; else the only one; else the only
 * one of them the asking key may send as. Several left over is for the caller to choose.
 */
export function chooseSender(senders: readonly string[], asked: string | undefined, own: ReadonlySet<string> | undefined): SenderChoice {
  if (asked !== undefined) return { kind: 'one', source: asked };
  if (senders.length <= 1) return { kind: 'one', source: senders[0] };
  const mine = own ? senders.filter((s) => own.has(s)) : [];
  if (mine.length === 1) return { kind: 'one', source: mine[0] };
  return { kind: 'ambiguous', senders: [...senders] };
}
