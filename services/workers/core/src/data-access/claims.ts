import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LuaScript } from './lua';
import type { WorkerKeys } from './keys';

/** What a finished message's claim remembers, so a redelivered copy can repeat its final status without the provider. */
export type FinalClaim =
  | { state: 'sent'; at: string; attempt: number; provider: string; providerMessageId?: string }
  | { state: 'failed' | 'dead'; at: string; attempt: number };

export type ClaimResult =
  | { kind: 'acquired'; token: string }
  | { kind: 'done'; claim: FinalClaim }
  /** Another owner still held it `sending` when the wait ran out. */
  | { kind: 'busy' };

export interface ClaimStoreOptions {
  /** A `sending` claim expires after this: the owner died, the message may be sent again. */
  leaseMs: number;
  /** How long to wait for another owner's `sending` claim to resolve before giving up. */
  waitMs: number;
  /** How long `sent` / `failed` / `dead` are remembered (redeliveries come within minutes; 7 days is plenty). */
  doneTtlMs: number;
  pollMs?: number;
  /** Identifies this process in the claim (for operators reading Redis). */
  owner: string;
}

// SET NX or tell what is there, in one round trip.
const ACQUIRE = new LuaScript(
  `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
return redis.call('GET', KEYS[1])`,
  1,
);

const RELEASE = new LuaScript(
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,
  1,
);

const SENDING = 'sending:';

/** Port: the per-message claim (see ClaimStore). The in-memory adapter is MemoryClaimStore. */
export interface Claims {
  acquire(messageId: string, signal?: { aborted: boolean }): Promise<ClaimResult>;
  markSent(messageId: string, info: { at: string; attempt: number; provider: string; providerMessageId?: string }): Promise<void>;
  /** Records a final failure (`failed` or `dead`). */
  finalize(messageId: string, claim: FinalClaim): Promise<void>;
  release(messageId: string, token: string): Promise<void>;
  peek(messageId: string): Promise<FinalClaim | { state: 'sending'; owner: string } | undefined>;
}

/**
 * The per-message claim that turns at-least-once delivery into at-most-once sends:
 * `SET claim:<id> sending:<owner> NX PX <lease>` before the provider is called, `sent:{…}` after
 * it accepted (before the status is published and the offset committed), `failed`/`dead` when it
 * is given up. A transient failure releases the claim so the retry can take it again.
 */
export class ClaimStore implements Claims {
  private sequence = 0;
  private readonly pollMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly keys: WorkerKeys,
    private readonly options: ClaimStoreOptions,
  ) {
    if (!(options.leaseMs > 0) || !(options.waitMs >= 0) || !(options.doneTtlMs > 0)) throw new RangeError('ClaimStore: leaseMs and doneTtlMs must be positive, waitMs >= 0');
    this.pollMs = options.pollMs ?? 100;
  }

  async acquire(messageId: string, signal?: { aborted: boolean }): Promise<ClaimResult> {
    this.sequence += 1;
    const token = `${this.options.owner}:${this.sequence}:${randomBytes(3).toString('hex')}`;
    const deadline = Date.now() + this.options.waitMs;
    for (;;) {
      const current = (await ACQUIRE.run(this.redis, [this.keys.claim(messageId)], [`${SENDING}${token}`, this.options.leaseMs])) as string | null;
      if (current === null) return { kind: 'acquired', token };
      if (!current.startsWith(SENDING)) {
        const claim = parseFinal(current);
        if (claim) return { kind: 'done', claim };
        // Unreadable (written by something else): let the lease logic handle it like a foreign claim.
      }
      if (Date.now() >= deadline || signal?.aborted) return { kind: 'busy' };
      await new Promise((resolve) => setTimeout(resolve, this.pollMs));
    }
  }

  /** Written as soon as the provider accepted: from here on a redelivery skips the provider. */
  async markSent(messageId: string, info: { at: string; attempt: number; provider: string; providerMessageId?: string }): Promise<void> {
    const claim: FinalClaim = { state: 'sent', ...info };
    await this.redis.set(this.keys.claim(messageId), JSON.stringify(claim), 'PX', this.options.doneTtlMs);
  }

  async finalize(messageId: string, claim: FinalClaim): Promise<void> {
    await this.redis.set(this.keys.claim(messageId), JSON.stringify(claim), 'PX', this.options.doneTtlMs);
  }

  /** The claim part of a final failure, to put in the same MULTI as the failed record. */
  finalCommand(messageId: string, claim: FinalClaim): [key: string, value: string, ttlMs: number] {
    return [this.keys.claim(messageId), JSON.stringify(claim), this.options.doneTtlMs];
  }

  /** Lets the next attempt (or another replica) claim it; only if it is still ours. */
  async release(messageId: string, token: string): Promise<void> {
    await RELEASE.run(this.redis, [this.keys.claim(messageId)], [`${SENDING}${token}`]);
  }

  async peek(messageId: string): Promise<FinalClaim | { state: 'sending'; owner: string } | undefined> {
    const value = await this.redis.get(this.keys.claim(messageId));
    if (value === null) return undefined;
    if (value.startsWith(SENDING)) return { state: 'sending', owner: value.slice(SENDING.length) };
    return parseFinal(value);
  }
}

export function parseFinal(value: string): FinalClaim | undefined {
  try {
    const parsed = JSON.parse(value) as Partial<FinalClaim>;
    if (parsed.state === 'sent' || parsed.state === 'failed' || parsed.state === 'dead') return parsed as FinalClaim;
  } catch {
    // not ours
  }
  return undefined;
}
