import { hash } from 'node:crypto';

/** What the first request got, replayed to every repeat within the retention window. */
export interface StoredAnswer {
  status: number;
  body: Record<string, unknown>;
}

export type BeginResult =
  | { state: 'acquired' }
  | { state: 'done'; answer: StoredAnswer }
  | { state: 'pending' }
  | { state: 'conflict' };

/**
 * Port: remembers which idempotency keys were used, atomically. `begin` either hands the caller
 * the key (it alone may publish) or reports what is known about the first request.
 */
export interface IdempotencyStore {
  begin(scope: string, key: string, fingerprint: string): Promise<BeginResult>;
  complete(scope: string, key: string, fingerprint: string, answer: StoredAnswer): Promise<void>;
  /** Frees the key after a publish that surely failed, so the client's retry can go through. */
  abandon(scope: string, key: string, fingerprint: string): Promise<void>;
}

/**
 * A digest of a parsed event. The contracts build their output in schema order (not input order)
 * and normalize phones, so two bodies that differ only in key order, whitespace or phone format
 * have the same fingerprint, without a canonicalizing pass of our own. `json` is the event's
 * JSON.stringify when the caller already has it (it is also the stored record's value).
 */
export function fingerprint(parsedEvent: unknown, json: string = JSON.stringify(parsedEvent)): string {
  return hash('sha256', json, 'hex');
}
