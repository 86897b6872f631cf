import { ledgerKeys, type LedgerKeys } from '@gateway/delivery-ledger';
import type { Channel } from '@gateway/contracts';

/** Every Redis key a channel worker touches, in one place so an operator tool can find them. */
export interface WorkerKeys extends LedgerKeys {
  /** Sorted set: message id scored by the time its retry is due. */
  delay: string;
  /** Hash: message id → the delayed item (JSON). */
  delayItems: string;
  rate(bucket: string): string;
}

/** The delivery ledger's keys (claims, failed records, kept copies) and the worker's own. */
export function workerKeys(prefix: string, channel: Channel): WorkerKeys {
  return {
    ...ledgerKeys(prefix),
    delay: `${prefix}delay:${channel}`,
    delayItems: `${prefix}delay:${channel}:items`,
    rate: (bucket) => `${prefix}rate:${bucket}`,
  };
}
