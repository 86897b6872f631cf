import { hash } from 'node:crypto';
import { isMeetingEvent, type Channel, type DeliveryStatus, type GatewayEvent, type MessageSummary, type SubjectRef, type Topics } from '@gateway/contracts';
import type { SubjectVersions } from '@gateway/delivery-ledger';
import { resolveRecipients, type DirectoryReader, type ResolvedPerson, type UnresolvedRecipient } from '@gateway/directory';
import { chooseChannels } from '../domain';
import { isSkipped, type Renderer } from './render';
import type { SequenceStore } from '../data-access/sequence-store';
import { planLinks, type AttendanceLinking } from './attendance-links';

export interface OutputRecord {
  topic: string;
  key: string;
  /**
   * The record's JSON, already UTF-8. A big fan-out holds all its records until the broker has
   * them all; as V8 strings (two bytes a character, since Vietnamese is not Latin-1) they filled
   * the old generation and were collected there. As buffers they live outside the heap, and
   * kafkajs copies them without re-encoding (docs/benchmarks.md, templating, change 2).
   */
  value: Buffer;
  headers: Record<string, string>;
}

export interface ProcessorDeps {
  directory: DirectoryReader;
  sequences: SequenceStore;
  /** Where each meeting's latest SEQUENCE and each document's recall are recorded for the workers. */
  versions: SubjectVersions;
  renderer: Renderer;
  topics: Topics;
  /** Personal attendance links; absent (no link secret set): invitations carry none. */
  attendance?: AttendanceLinking | undefined;
  now?: () => Date;
}

export interface ProcessResult {
  records: OutputRecord[];
  rendered: number;
  skipped: number;
  recipients: number;
  unresolved: UnresolvedRecipient[];
}

/**
 * The same sender, event, recipient and channel always give the same id: re-processing an event
 * after a crash publishes the same ids, and the channel workers' claims make the copies no-ops.
 * Event ids are the senders' to choose, so two senders' events with one id must not share ids
 * (docs/adr/0003-event-identity.md); none of the parts can hold a line break.
 */
export function messageIdFor(sender: string, eventId: string, recipientId: string, channel: Channel): string {
  const digest = hash('sha256', `${sender}\n${eventId}\n${recipientId}\n${channel}`, 'hex');
  return `m-${digest.slice(0, 32)}`;
}

/** Who a message is for, on its first status, so operators can search by name, phone or email. */
export function summaryFor(event: GatewayEvent, person: ResolvedPerson): MessageSummary {
  const recipient: MessageSummary['recipient'] = { id: person.id, name: person.name };
  if (person.phone) recipient.phone = person.phone;
  if (person.email) recipient.email = person.email;
  const summary: MessageSummary = { recipient, eventType: event.type, source: event.source, urgency: event.data.urgency };
  if (!isMeetingEvent(event)) summary.secrecy = event.data.secrecy;
  return summary;
}

/**
 * The SMS policy goes over a template's cap only when the link, times and numbers, which it never
 * cuts, do not fit by themselves; the operator sees why this SMS costs more than the template allows.
 */
function overCapReason(segments: number, cap: number): string {
  return `SMS dài ${segments} tin, vượt giới hạn ${cap} tin của mẫu: đường dẫn, thời gian và số hiệu không được cắt / over the template's cap of ${cap}: links, times and numbers are never cut`;
}

/**
 * One event → one message per recipient per usable channel (on the channel topics, keyed by
 * recipient so one person's messages stay in order) and a `rendered` or `skipped` status for each.
 * Template errors are thrown (the caller dead-letters the event); infrastructure errors too (the
 * caller retries).
 */
export async function processEvent(event: GatewayEvent, correlationId: string, deps: ProcessorDeps): Promise<ProcessResult> {
  const eventId = event.id as string;
  // The intake checked that the key owns this source, and the consumer that the record's stamp agrees.
  const sender = event.source;
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const entries = isMeetingEvent(event) ? event.data.participants : event.data.recipients;
  const { people, unresolved } = await resolveRecipients(entries, deps.directory);
  const meeting = isMeetingEvent(event) ? await deps.sequences.sequenceFor({ sender, meetingId: event.data.meetingId }, eventId) : undefined;
  const sequence = meeting?.sequence;
  const prepared = deps.renderer.prepareEvent(event, { sequence, uidScope: meeting && !meeting.first ? sender : undefined });
  const subject: SubjectRef = isMeetingEvent(event) ? { kind: 'meeting', source: sender, id: event.data.meetingId, ...(sequence !== undefined ? { version: sequence } : {}) } : { kind: 'document', source: sender, id: event.data.documentId };
  const links = isMeetingEvent(event) && deps.attendance !== undefined ? await planLinks(event, sender, people, sequence ?? 0, deps.attendance) : undefined;

  const records: OutputRecord[] = [];
  let rendered = 0;
  let skipped = 0;
  const headers = { 'event-id': eventId, 'event-type': event.type, 'correlation-id': correlationId };
  const status = (s: DeliveryStatus) => records.push({ topic: deps.topics.status, key: s.messageId, value: Buffer.from(JSON.stringify(s)), headers: { ...headers, 'message-status': s.status } });

  for (const person of people) {
    const choice = chooseChannels(person, event.data.urgency);
    const summary = summaryFor(event, person);
    for (const skip of choice.skipped) {
      skipped++;
      status({ messageId: messageIdFor(sender, eventId, person.id, skip.channel), eventId, channel: skip.channel, status: 'skipped', at: now, reason: skip.reason, summary });
    }
    if (choice.channels.length === 0) continue;
    const results = deps.renderer.renderMessages(prepared, person, choice.channels, {
      messageIdFor: (channel) => messageIdFor(sender, eventId, person.id, channel),
      correlationId,
      now,
      sequence,
      about: subject,
      confirmLink: links?.urls.get(person.id),
    });
    for (const result of results) {
      if (isSkipped(result)) {
        skipped++;
        status({ messageId: result.id, eventId, channel: result.channel, status: 'skipped', at: now, reason: result.reason, summary });
        continue;
      }
      rendered++;
      records.push({ topic: deps.topics[result.channel], key: person.id, value: Buffer.from(JSON.stringify(result)), headers: { ...headers, 'message-id': result.id } });
      const cap = prepared.templates.sms.maxSegments;
      const reason = result.channel === 'sms' && result.segments > cap ? overCapReason(result.segments, cap) : undefined;
      status({ messageId: result.id, eventId, channel: result.channel, status: 'rendered', at: now, summary, ...(reason !== undefined ? { reason } : {}) });
    }
  }
  // Recorded once every message rendered (a template error leaves the older messages valid) and
  // before any is published: from here on, what is still queued for an older version is superseded.
  if (subject.kind === 'meeting') {
    if (sequence !== undefined) await deps.versions.raise(subject, sequence);
  } else {
    await deps.versions.setRecalled(subject, event.type === 'document.recalled');
  }
  // Stored before the messages are published: a link must answer as soon as it can arrive.
  if (links !== undefined && deps.attendance !== undefined) await deps.attendance.links.saveMeeting(links.meeting, links.records);
  return { records, rendered, skipped, recipients: people.length, unresolved };
}
