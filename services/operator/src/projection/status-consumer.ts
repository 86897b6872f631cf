import { deliveryStatusSchema, type DeadLetter, type DeliveryStatus, type Topics } from '@gateway/contracts';
import type { BusConsumer, Logger, OutgoingMessage } from '@gateway/common';
import { deadLetterRecord, toIncomingRecord, type IncomingRecord } from '@gateway/worker-core';
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

/** The record as a status, or why it is not one. */
function decode(record: IncomingRecord): { status: DeliveryStatus } | { reason: string; issues?: DeadLetter['issues'] } {
  let json: unknown;
  try {
    json = JSON.parse(record.value);
  } catch (err) {
    return { reason: `not JSON: ${(err as Error).message}` };
  }
  const parsed = deliveryStatusSchema.safeParse(json);
  if (!parsed.success) return { reason: 'not a delivery status (it does not match the contracts)', issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) };
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
    partitionsConsumedConcurrently: 3,
    eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary }) => {
      const statuses: DeliveryStatus[] = [];
      const sources: IncomingRecord[] = [];
      const letters: OutgoingMessage[] = [];
      const deadLetter = (record: IncomingRecord, reason: string, issues?: DeadLetter['issues']) => {
        letters.push(deadLetterRecord(deps.topics, service, record, reason, issues));
        deps.logger.warn({ topic: record.topic, partition: record.partition, offset: record.offset, reason }, 'status record dead-lettered');
      };
      for (const message of batch.messages) {
        const record = toIncomingRecord(batch.topic, batch.partition, message);
        const decoded = decode(record);
        if ('status' in decoded) {
          statuses.push(decoded.status);
          sources.push(record);
        } else deadLetter(record, decoded.reason, decoded.issues);
      }
      const { rejected } = await deps.store.apply(statuses);
      for (const { status, reason } of rejected) deadLetter(sources[statuses.indexOf(status)] as IncomingRecord, `the read model could not store it: ${reason}`);
      if (letters.length) await deps.publisher.publish(letters);
      const last = batch.messages[batch.messages.length - 1];
      if (last) resolveOffset(last.offset);
      await commitOffsetsIfNecessary();
      await heartbeat();
    },
  });
}
