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
