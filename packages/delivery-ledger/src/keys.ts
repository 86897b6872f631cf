/** Every Redis key the ledger owns; shared by every channel (claims are per message, not per channel). */
export interface LedgerKeys {
  /** `sending:<token>` while a worker sends, then the final claim's JSON. */
  claim(messageId: string): string;
  /** A failed record's JSON. */
  failed(messageId: string): string;
  /** Sorted set of failed message ids by failure time, across channels. */
  failedIndex: string;
  /** A sent message's copy, kept while its carrier may still report it undelivered. */
  sentCopy(messageId: string): string;
}

export function ledgerKeys(prefix: string): LedgerKeys {
  return {
    claim: (id) => `${prefix}claim:${id}`,
    failed: (id) => `${prefix}failed:${id}`,
    failedIndex: `${prefix}failed:index`,
    sentCopy: (id) => `${prefix}sent-copy:${id}`,
  };
}
