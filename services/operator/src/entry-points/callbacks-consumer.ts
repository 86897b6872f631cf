import { deliveryStatusSchema, type DeliveryStatus, type NotificationStatusItem, type Topics } from '@gateway/contracts';
import { decodeRecord, type BusConsumer } from '@gateway/bus';
import type { CallbackTarget, KeyRing, Logger } from '@gateway/common';
import { callbackItemOf, type MessageOrigin } from '../domain/callbacks';
import type { CallbackStore } from '../data-access/callback-store';
import type { CallbackDispatcher } from '../app/callback-dispatcher';

export interface CallbackConsumerDeps {
  consumer: Pick<BusConsumer, 'subscribe' | 'run'>;
  topics: Pick<Topics, 'status'>;
  keys: () => Pick<KeyRing, 'callbacksFor'>;
  store: CallbackStore;
  dispatcher: Pick<CallbackDispatcher, 'enqueue'>;
  logger: Logger;
  /** How often a batch waiting for slow callbacks tells the group it is alive. */
  heartbeatMs?: number;
}

function parse(value: string): DeliveryStatus | undefined {
  try {
    const parsed = deliveryStatusSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Its own consumer group on the status topic: a slow callback holds back only other callbacks,
 * never the projection or a delivery. A batch's offsets are committed once every item of it was
 * delivered or dead-lettered. Records that are not statuses are left to the projection, which
 * dead-letters them.
 */
export async function runCallbackDispatch(deps: CallbackConsumerDeps): Promise<void> {
  await deps.consumer.subscribe({ topics: [deps.topics.status], fromBeginning: true });
  await deps.consumer.run({
    partitionsConcurrently: 3,
    eachBatch: async (batch, { resolve, heartbeat, commit }) => {
      const statuses = batch.records.flatMap((r) => {
        const status = parse(decodeRecord(r).value);
        return status ? [status] : [];
      });
      const learnt = new Map<string, MessageOrigin>();
      for (const s of statuses) {
        if (s.summary?.source) learnt.set(s.messageId, { source: s.summary.source, recipientId: s.summary.recipient.id });
      }
      await deps.store.rememberOrigins([...learnt].map(([messageId, origin]) => ({ messageId, origin })));
      const unknown = [...new Set(statuses.filter((s) => !learnt.has(s.messageId)).map((s) => s.messageId))];
      const stored = await deps.store.origins(unknown);

      const ring = deps.keys();
      const perTarget = new Map<string, { target: CallbackTarget; items: NotificationStatusItem[] }>();
      for (const status of statuses) {
        const origin = learnt.get(status.messageId) ?? stored.get(status.messageId);
        const item = callbackItemOf(status, origin);
        if (!item || !origin) continue;
        for (const target of ring.callbacksFor(origin.source)) {
          const entry = perTarget.get(target.key) ?? { target, items: [] };
          entry.items.push(item);
          perTarget.set(target.key, entry);
        }
      }
      if (perTarget.size > 0) {
        const alive = setInterval(() => void heartbeat().catch(() => undefined), deps.heartbeatMs ?? 3000);
        try {
          await Promise.all([...perTarget.values()].map(({ target, items }) => deps.dispatcher.enqueue(target, items)));
        } finally {
          clearInterval(alive);
        }
      }
      const last = batch.records[batch.records.length - 1];
      if (last) resolve(last.offset);
      await commit();
      await heartbeat();
    },
  });
}
