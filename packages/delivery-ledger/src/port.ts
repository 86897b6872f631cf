import type { ChannelMessage, FailedRecord } from '@gateway/contracts';

export type { FailedRecord };

/** What a finished message's claim remembers, so a redelivered copy can repeat its final status without the provider. */
export type FinalClaim =
  | { state: 'sent'; at: string; attempt: number; provider: string; providerMessageId?: string }
  | { state: 'failed' | 'dead'; at: string; attempt: number };

/** What is in a message's claim now: final, or held by an owner while it sends. */
export type ClaimState = FinalClaim | { state: 'sending'; owner: string };

export type ClaimResult =
  | { kind: 'acquired'; token: string }
  | { kind: 'done'; claim: FinalClaim }
  /** Another owner still held it `sending` when the wait ran out. */
  | { kind: 'busy' };

/** What the provider said when it accepted the message. */
export interface SentMark {
  at: string;
  attempt: number;
  provider: string;
  providerMessageId?: string;
}

/** A carrier's late report that a message the provider accepted did not reach the phone. */
export interface UndeliveredReport {
  at: string;
  provider: string;
  code?: string;
  answer?: string;
}

/** A stored failed record (or kept copy) that no longer parses: skipped by the reads, and reported. */
export interface UnreadableFailedRecord {
  messageId: string;
  /** What is wrong, by field; never the stored values (they hold the contact). */
  reason: string;
}

/** Where the adapters report an unreadable record (the composition root logs it). */
export type OnUnreadable = (problem: UnreadableFailedRecord) => void;

/**
 * The delivery ledger of one worker: the per-message claim that turns at-least-once delivery into
 * at-most-once sends, the failed records an operator resends from, and the kept copies of sent
 * messages a carrier may still report undelivered.
 */
export interface DeliveryLedger {
  /**
   * Takes the message for this worker before the provider is called; waits (up to the worker's
   * `waitMs`, or until `signal` is aborted) while another owner holds it `sending`.
   */
  claim(messageId: string, signal?: { aborted: boolean }): Promise<ClaimResult>;
  /** Lets the next attempt (or another replica) claim it; only if it is still this token's. */
  release(messageId: string, token: string): Promise<void>;
  /** Written as soon as the provider accepted: from here on a redelivery skips the provider. */
  markSent(messageId: string, sent: SentMark): Promise<void>;
  /** Stores the record and marks the message's claim final (`failed` or `dead`), together; refuses `undelivered`. */
  recordFailure(record: FailedRecord): Promise<void>;
  /**
   * Keeps a copy of a message the provider accepted, for `ttlMs`, so that when its carrier reports
   * it undelivered later an operator can still correct and resend it.
   */
  keepSentCopy(message: ChannelMessage, ttlMs: number): Promise<void>;
  /**
   * The carrier reported a sent message undelivered: its kept copy becomes a failed record in state
   * `undelivered` (the claim stays `sent`: the original is never sent again by itself). Undefined
   * when no copy is kept (none was, it expired, or it no longer parses); a repeated report returns
   * the first record.
   */
  recordUndelivered(messageId: string, report: UndeliveredReport): Promise<FailedRecord | undefined>;
  /** Undefined when there is none, or when it no longer parses (then it is reported). */
  getFailed(messageId: string): Promise<FailedRecord | undefined>;
  /** Newest first; records that no longer parse are skipped (and reported). */
  listFailed(options?: { limit?: number }): Promise<FailedRecord[]>;
  /** What the claim holds now (for operator tools and tests). */
  peekClaim(messageId: string): Promise<ClaimState | undefined>;
}

/** The operator's view: it reads the failed records, and writes nothing. */
export type FailedRecordReader = Pick<DeliveryLedger, 'getFailed' | 'listFailed'>;

/** How one worker claims: its own owner and lease, whatever state it shares with others. */
export interface ClaimOptions {
  /** Identifies this process in the claim (for operators reading Redis). */
  owner: string;
  /** A `sending` claim expires after this: the owner died, the message may be sent again. */
  leaseMs: number;
  /** How long to wait for another owner's `sending` claim to resolve before giving up. */
  waitMs: number;
  /** How long `sent` / `failed` / `dead` are remembered (redeliveries come within minutes; 7 days is plenty). */
  doneTtlMs: number;
  pollMs?: number;
}

export interface WorkerLedgerOptions extends ClaimOptions {
  /** How long a failed record is kept (Redis; the memory adapter keeps a bounded number instead). */
  failedRecordTtlMs: number;
}

/**
 * The ledger's state, shared by every worker on it (one Redis, or one process's memory) and read by
 * the operator. Each worker gets its port with `forWorker`, with its own owner and lease.
 */
export interface SharedLedger extends FailedRecordReader {
  forWorker(options: WorkerLedgerOptions): DeliveryLedger;
}
