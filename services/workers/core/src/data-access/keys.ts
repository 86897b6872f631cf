import type { Channel } from '@gateway/contracts';

/** Every Redis key a channel worker touches, in one place so an operator tool can find them. */
export interface WorkerKeys {
  claim(messageId: string): string;
  /** Sorted set: message id scored by the time its retry is due. */
  delay: string;
  /** Hash: message id → the delayed item (JSON). */
  delayItems: string;
  failed(messageId: string): string;
  /** Sorted set of failed message ids by failure time, across channels. */
  failedIndex: string;
  rate(bucket: string): string;
}

export function workerKeys(prefix: string, channel: Channel): WorkerKeys {
  return {
    claim: (id) => `${prefix}claim:${id}`,
    delay: `${prefix}delay:${channel}`,
    delayItems: `${prefix}delay:${channel}:items`,
    failed: (id) => `${prefix}failed:${id}`,
    failedIndex: `${prefix}failed:index`,
    rate: (bucket) => `${prefix}rate:${bucket}`,
  };
}
