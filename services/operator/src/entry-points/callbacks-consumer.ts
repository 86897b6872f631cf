import { attendanceAnsweredSchema, deliveryStatusSchema, type AttendanceAnswerItem, type DeliveryStatus, type NotificationStatusItem, type Topics } from '@gateway/contracts';
import { decodeRecord, type RecordBatch, type BusConsumer } from '@gateway/bus';
import type { CallbackTarget, KeyRing, Logger } from '@gateway/common';
import { callbackItemOf, type MessageOrigin } from '../domain/callbacks';
import type { CallbackStore } from '../data-access/callback-store';
import type { CallbackDispatcher } from '../app/callback-dispatcher';

export interface CallbackConsumerDeps {
  consumer: Pick<BusConsumer, 'subscribe' | 'run'>;
  topics: Pick<Topics, 'status' | 'attendance'>;
  /** Also post the attendance answers (the topic exists only where attendance is on). */
  answers?: boolean;
  keys: () => Pick<KeyRing, 'callbacksFor'>;
  store: CallbackStore;
  dispatcher: Pick<CallbackDispatcher, 'enqueue' | 'enqueueAnswers'>;
  logger: Logger;
  /** How often a batch waiting for slow callbacks tells the group it is alive. */
  heartbeatMs?: number;
}

function parseWith<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } }, value: string): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

type Enqueue<T> = (target: CallbackTarget, items: readonly T[]) => Promise<void>;

/** The batch's items, grouped by the callbacks they go to. */
function perTargetOf<T>(pairs: ReadonlyArray<{ source: string; item: T }>, ring: Pick<KeyRing, 'callbacksFor'>): Array<{ target: CallbackTarget; items: T[] }> {
  const perTarget = new Map<string, { target: CallbackTarget; items: T[] }>();
  for (const { source, item } of pairs) {
    for (const target of ring.callbacksFor(source)) {
      const entry = perTarget.get(target.key) ?? { target, items: [] };
      entry.items.push(item);
      perTarget.set(target.key, entry);
    }
  }
  return [...perTarget.values()];
}

async function statusPairs(deps: CallbackConsumerDeps, batch: RecordBatch): Promise<Array<{ source: string; item: NotificationStatusItem }>> {
  const statuses = batch.records.flatMap((r) => {
    const status = parseWith<DeliveryStatus>(deliveryStatusSchema, decodeRecord(r).value);
    return status ? [status] : [];
  });
  const learnt = new Map<string, MessageOrigin>();
  for (const s of statuses) {
    if (s.summary?.source) learnt.set(s.messageId, { source: s.summary.source, recipientId: s.summary.recipient.id });
  }
  await deps.store.rememberOrigins([...learnt].map(([messageId, origin]) => ({ messageId, origin })));
  const unknown = [...new Set(statuses.filter((s) => !learnt.has(s.messageId)).map((s) => s.messageId))];
  const stored = await deps.store.origins(unknown);
  return statuses.flatMap((status) => {
    const origin = learnt.get(status.messageId) ?? stored.get(status.messageId);
    const item = callbackItemOf(status, origin);
    return item && origin ? [{ source: origin.source, item }] : [];
  });
}

/** An answer carries its source; the projection dead-letters what does not parse. */
function answerPairs(batch: RecordBatch): Array<{ source: string; item: AttendanceAnswerItem }> {
  return batch.records.flatMap((r) => {
    const parsed = parseWith(attendanceAnsweredSchema, decodeRecord(r).value);
    if (!parsed) return [];
    const { type: _type, source, ...item } = parsed;
    return [{ source, item }];
  });
}

async function dispatch<T>(deps: CallbackConsumerDeps, pairs: ReadonlyArray<{ source: string; item: T }>, enqueue: Enqueue<T>, heartbeat: () => Promise<void>): Promise<void> {
  const perTarget = perTargetOf(pairs, deps.keys());
  if (perTarget.length === 0) return;
  const alive = setInterval(() => void heartbeat().catch(() => undefined), deps.heartbeatMs ?? 3000);
  try {
    await Promise.all(perTarget.map(({ target, items }) => enqueue(target, items)));
  } finally {
    clearInterval(alive);
  }
}

/**
 * Its own consumer group on the status topic (and the attendance topic where attendance is on): a slow callback holds back only other callbacks,
 * never the projection or a delivery. A batch's offsets are committed once every item of it was
 * delivered or dead-lettered. Records that are not statuses are left to the projection, which
 * dead-letters them.
 */
export async function runCallbackDispatch(deps: CallbackConsumerDeps): Promise<void> {
  await deps.consumer.subscribe({ topics: deps.answers ? [deps.topics.status, deps.topics.attendance] : [deps.topics.status], fromBeginning: true });
  await deps.consumer.run({
    partitionsConcurrently: 3,
    eachBatch: async (batch, { resolve, heartbeat, commit }) => {
      if (batch.topic === deps.topics.attendance) await dispatch(deps, answerPairs(batch), (target, items) => deps.dispatcher.enqueueAnswers(target, items), heartbeat);
      else await dispatch(deps, await statusPairs(deps, batch), (target, items) => deps.dispatcher.enqueue(target, items), heartbeat);
      const last = batch.records[batch.records.length - 1];
      if (last) resolve(last.offset);
      await commit();
      await heartbeat();
    },
  });
}
