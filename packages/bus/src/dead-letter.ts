import type { DeadLetter, Topics } from '@gateway/contracts';
import type { BusRecord, OutgoingRecord } from './port';

/** A consumed record with its value decoded as UTF-8 text: what a consumer's handler works on. */
export interface IncomingRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

export function decodeRecord(record: BusRecord): IncomingRecord {
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: record.key,
    value: record.value ? record.value.toString('utf8') : '',
    headers: { ...record.headers },
  };
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * The dead-letter record for a consumed record that cannot be processed: the record itself, why, and
 * which service gave up on it; the message, event and correlation ids travel on as headers.
 */
export function deadLetterRecord(topics: Pick<Topics, 'deadLetter'>, service: string, source: IncomingRecord, reason: string, issues?: DeadLetter['issues']): OutgoingRecord {
  const letter: DeadLetter = {
    sourceTopic: source.topic,
    partition: source.partition,
    offset: source.offset,
    key: source.key,
    value: source.value,
    reason: cut(reason, 2000),
    ...(issues && issues.length > 0 ? { issues: issues.slice(0, 100) } : {}),
    service,
    at: new Date().toISOString(),
  };
  const headers: Record<string, string> = { 'source-topic': source.topic, reason: cut(reason, 200) };
  for (const name of ['message-id', 'event-id', 'correlation-id']) {
    const value = source.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  return { topic: topics.deadLetter, key: source.key ?? '', value: JSON.stringify(letter), headers };
}
