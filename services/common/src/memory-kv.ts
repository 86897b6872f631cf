/**
 * String keys with an optional time to live, for the in-memory adapters of the embedded mode
 * (what SET/GET/SET NX PX/DEL are for the Redis adapters). Expired keys are dropped when read and
 * in a sweep every few thousand writes, so memory stays bounded by what is live.
 */
export class MemoryKv {
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();
  private writes = 0;

  constructor(private readonly now: () => number = Date.now) {}

  get(key: string): string | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: string, ttlMs?: number): void {
    this.entries.set(key, { value, expiresAt: ttlMs === undefined ? Infinity : this.now() + ttlMs });
    if (++this.writes % 4096 === 0) this.sweep();
  }

  /** Sets the key only when it is absent (or expired); true when it did. */
  setIfAbsent(key: string, value: string, ttlMs?: number): boolean {
    if (this.get(key) !== undefined) return false;
    this.set(key, value, ttlMs);
    return true;
  }

  delete(key: string): boolean {
    return this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private sweep(): void {
    const now = this.now();
    for (const [k, e] of this.entries) if (e.expiresAt <= now) this.entries.delete(k);
  }
}
