import { createHash } from 'node:crypto';

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

/** A stable digest of a JSON value: key order and whitespace do not change it. */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}
