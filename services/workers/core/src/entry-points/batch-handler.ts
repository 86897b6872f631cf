import { decodeRecord, type BatchHandler, type BusRecord, type IncomingRecord, type OutgoingRecord } from '@gateway/bus';
import type { Logger } from '@gateway/common';
import type { Outcome } from '../app/deliver';

export interface BatchHandlerOptions {
  /** Messages of one batch in flight at once (distinct keys; one key's messages go one after another). */
  concurrency: number;
  /** Settles one record; throws only when it could not (infrastructure), which stops the batch uncommitted from there. */
  handle: (record: IncomingRecord, publish: (out: OutgoingRecord) => void) => Promise<Outcome>;
  /** Sends to Kafka and resolves once acknowledged (acks=all). */
  publish: (out: OutgoingRecord) => Promise<void>;
  logger: Logger;
  heartbeatEveryMs?: number;
  onSettled?: (outcome: Outcome, record: IncomingRecord) => void;
}

/** A consumed record as the pipelines (and dead letters) take it. */

/**
 * The batch handler: the batch's messages grouped by Kafka key (the recipient); each key's messages in
 * offset order, up to `concurrency` keys at once. Statuses and dead letters are queued while the
 * batch runs and acknowledged before any offset is committed; the committed offset is the end of
 * the longest settled prefix, so a stop or an error in the middle gives back exactly the unsettled
 * rest. While stopping (or after a rebalance took the partition) no new message starts.
 */
export function createBatchHandler(options: BatchHandlerOptions): BatchHandler {
  const heartbeatEveryMs = options.heartbeatEveryMs ?? 1000;
  return async (batch, { resolve, heartbeat, commit, isRunning, isStale }) => {
    const messages = batch.records;
    if (messages.length === 0) return;
    const settled = new Array<boolean>(messages.length).fill(false);
    const groups = new Map<string, number[]>();
    messages.forEach((message, index) => {
      // A message without a key has no order to keep with anything.
      const key = message.key ? `k:${message.key}` : `i:${index}`;
      const group = groups.get(key);
      if (group) group.push(index);
      else groups.set(key, [index]);
    });
    const queue = [...groups.values()];
    const acks: Array<Promise<void>> = [];
    const publish = (out: OutgoingRecord) => {
      const ack = options.publish(out);
      ack.catch(() => undefined);
      acks.push(ack);
    };
    let failure: unknown;
    const mayStart = () => failure === undefined && isRunning() && !isStale();

    const lane = async () => {
      for (let group = queue.shift(); group && mayStart(); group = queue.shift()) {
        for (const index of group) {
          if (!mayStart()) return;
          const record = decodeRecord(messages[index] as BusRecord);
          try {
            const outcome = await options.handle(record, publish);
            settled[index] = true;
            options.onSettled?.(outcome, record);
          } catch (err) {
            failure ??= err;
            return;
          }
        }
      }
    };

    const beat = setInterval(() => {
      heartbeat().catch(() => undefined);
    }, heartbeatEveryMs);
    try {
      await Promise.all(Array.from({ length: Math.min(options.concurrency, queue.length) }, lane));
      // Statuses first: a committed offset must never stand for a status that was not stored.
      await Promise.all(acks);
    } finally {
      clearInterval(beat);
    }

    let prefix = -1;
    while (prefix + 1 < messages.length && settled[prefix + 1]) prefix += 1;
    if (prefix >= 0) {
      resolve((messages[prefix] as BusRecord).offset);
      await commit();
    }
    if (failure !== undefined) {
      options.logger.error({ topic: batch.topic, partition: batch.partition, err: (failure as Error).message, settled: prefix + 1, of: messages.length }, 'batch stopped by an infrastructure error; the rest comes back');
      throw failure;
    }
  };
}
