import { deliveryStatusSchema, type DeadLetter, type DeliveryStatus, type Topics } from '@gateway/contracts';
import type { BusConsumer, OutgoingRecord } from '@gateway/bus';
import type { Logger } from '@gateway/common';
import { deadLetterRecord, decodeRecord, type IncomingRecord } from '@gateway/bus';
import type { NotificationStore } from '../data-access/notification-store';
import type { Publisher } from '../app/publisher';

export interface StatusProjectionDeps {
  consumer: Pick<BusConsumer, 'subscribe' | 'run'>;
  topics: Topics;
  store: NotificationStore;
  /** Puts dead letters on the bus, acknowledged before the batch's offsets are committed. */
  publisher: Publisher;
  logger: Logger;
  /** Names the projection in its dead letters. */
  service?: string;
}

/** Why a record was not projected: a fixed label for the log, the full reason for the dead letter. */
interface Refusal {
  kind: 'not JSON' | 'not a delivery status' | 'refused by the read model';
  reason: string;
  issues?: DeadLetter['issues'];
}

/** The record as a status, or why it is not one. */
function decode(record: IncomingRecord): { status: DeliveryStatus } | Refusal {
  let json: unknown;
  try {
    json = JSON.parse(record.value);
  } catch (err) {
    return { kind: 'not JSON', reason: `not JSON: ${(err as Error).message}` };
  }
  const parsed = deliveryStatusSchema.safeParse(json);
  if (!parsed.success) return { kind: 'not a delivery status', reason: 'not a delivery status (it does not match the contracts)', issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) };
  return { status: parsed.data };
}

/**
 * Projects the status topic into the read model. A batch is applied, then its offsets committed:
 * a crash re-applies some statuses, which the store ignores. A record that is not a status, or
 * that the store refuses on its own, goes to the dead-letter topic with the reason and the batch
 * goes on: one bad record never stops the projection of the others. Only an error of the store
 * itself (Redis unreachable) fails the batch, which is then retried from its first offset.
 */
export async function runStatusProjection(deps: StatusProjectionDeps): Promise<void> {
  const service = deps.service ?? 'operator';
  await deps.consumer.subscribe({ topics: [deps.topics.status], fromBeginning: true });
  await deps.consumer.run({
    partitionsConcurrently: 3,
    eachBatch: async (batch, { resolve, heartbeat, commit }) => {
      const statuses: DeliveryStatus[] = [];
      const sources: IncomingRecord[] = [];
      const letters: OutgoingRecord[] = [];
      const deadLetter = (record: IncomingRecord, refusal: Refusal) => {
        letters.push(deadLetterRecord(deps.topics, service, record, refusal.reason, refusal.issues));
        // The label only: a parser's message quotes the record, which names a person.
        deps.logger.warn({ topic: record.topic, partition: record.partition, offset: record.offset, reason: refusal.kind }, 'status record dead-lettered');
      };
      for (const message of batch.records) {
        const record = decodeRecord(message);
        const decoded = decode(record);
        if ('status' in decoded) {
          statuses.push(decoded.status);
          sources.push(record);
        } else deadLetter(record, decoded);
      }
      const { rejected } = await deps.store.apply(statuses);
      for (const { status, reason } of rejected) deadLetter(sources[statuses.indexOf(status)] as IncomingRecord, { kind: 'refused by the read model', reason: `the read model could not store it: ${reason}` });
      if (letters.length) await deps.publisher.publish(letters);
      const last = batch.records[batch.records.length - 1];
      if (last) resolve(last.offset);
      await commit();
      await heartbeat();
    },
  });
}
