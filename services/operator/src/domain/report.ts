import { DELIVERY_STATES, type Channel, type DeliveryState } from '@gateway/contracts';
import { SUCCESS_STATES, type NotificationRecord } from './notification';

export interface ReportRecipient {
  id: string;
  name?: string;
  phone?: string;
  email?: string;
  channels: Array<{ channel: Channel; messageId: string; status: DeliveryState; updatedAt: string; resendOf?: string }>;
  /** Some channel was sent, delivered or read. */
  reached: boolean;
}

export interface EventReport {
  eventId: string;
  /** The sender (source) whose event this is, when its notifications name it. */
  source?: string;
  eventType?: string;
  total: number;
  counts: Record<string, number>;
  recipients: ReportRecipient[];
  /** For meetings: recipients with no successful channel at all. */
  unreached?: Array<{ id: string; name?: string }>;
}

/**
 * Every recipient × channel with its current state. A resend stands for its original: the person
 * counts as reached when the resend was sent, and the original then shows as superseded by it.
 */
export function buildEventReport(eventId: string, records: readonly NotificationRecord[]): EventReport {
  const counts: Record<string, number> = Object.fromEntries(DELIVERY_STATES.map((s) => [s, 0]));
  const people = new Map<string, ReportRecipient>();
  let eventType: string | undefined;
  const sorted = [...records].sort((a, b) => a.firstSeenAt.localeCompare(b.firstSeenAt));
  for (const r of sorted) {
    eventType ??= r.summary?.eventType;
    counts[r.status] = (counts[r.status] ?? 0) + 1;
    const id = r.summary?.recipient.id ?? `(không rõ: ${r.messageId})`;
    const person = people.get(id) ?? { id, ...(r.summary ? { name: r.summary.recipient.name } : {}), channels: [], reached: false };
    const contact = r.summary?.recipient;
    if (contact?.phone) person.phone = contact.phone;
    if (contact?.email) person.email = contact.email;
    person.channels.push({ channel: r.channel, messageId: r.messageId, status: r.status, updatedAt: r.updatedAt, ...(r.resendOf ? { resendOf: r.resendOf } : {}) });
    if (SUCCESS_STATES.has(r.status)) person.reached = true;
    people.set(id, person);
  }
  const recipients = [...people.values()].sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id, 'vi'));
  const report: EventReport = { eventId, ...(eventType ? { eventType } : {}), total: records.length, counts, recipients };
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
