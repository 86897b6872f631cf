import { deliveryStatusSchema, type DeliveryStatus } from '@gateway/contracts';
import type { BusConsumer, Logger } from '@gateway/common';
import type { NotificationStore } from '../data-access/notification-store';

/**
 * Projects the status topic into the read model. A batch is applied, then its offsets committed:
 * a crash re-applies some statuses, which the store ignores. A record that is not a status is
 * logged and skipped (statuses are our own output; there is nothing to retry).
 */
export async function runStatusProjection(deps: { consumer: Pick<BusConsumer, 'subscribe' | 'run'>; topic: string; store: NotificationStore; logger: Logger }): Promise<void> {
  await deps.consumer.subscribe({ topics: [deps.topic], fromBeginning: true });
  await deps.consumer.run({
    partitionsConsumedConcurrently: 3,
    eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary }) => {
      const statuses: DeliveryStatus[] = [];
      for (const message of batch.messages) {
        try {
          statuses.push(deliveryStatusSchema.parse(JSON.parse(message.value?.toString('utf8') ?? '')));
        } catch {
          deps.logger.warn({ topic: batch.topic, partition: batch.partition, offset: message.offset }, 'not a delivery status; skipped');
        }
      }
      await deps.store.apply(statuses);
      const last = batch.messages[batch.messages.length - 1];
      if (last) resolveOffset(last.offset);
      await commitOffsetsIfNecessary();
      await heartbeat();
    },
  });
}
