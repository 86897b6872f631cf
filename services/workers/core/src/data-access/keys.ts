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
  /** A sent message's copy, kept while its carrier may still report it undelivered. */
  sentCopy(messageId: string): string;
  rate(bucket: string): string;
}

/** The failed records' keys: shared by every channel, and read by the operator service. */
export type FailedKeys = Pick<WorkerKeys, 'failed' | 'failedIndex' | 'sentCopy'>;

export function failedKeys(prefix: string): FailedKeys {
  return { failed: (id) => `${prefix}failed:${id}`, failedIndex: `${prefix}failed:index`, sentCopy: (id) => `${prefix}sent-copy:${id}` };
}

export function workerKeys(prefix: string, channel: Channel): WorkerKeys {
  return {
    claim: (id) => `${prefix}claim:${id}`,
    delay: `${prefix}delay:${channel}`,
    delayItems: `${prefix}delay:${channel}:items`,
    ...failedKeys(prefix),
    rate: (bucket) => `${prefix}rate:${bucket}`,
  };
}
