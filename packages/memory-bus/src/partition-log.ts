import type { BusRecord, OutgoingRecord } from '@gateway/bus';

export class BusError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BusError';
  }
}

/** Wakes its waiters when something changed (a record appended, a member left). */
export class Signal {
  private readonly waiters = new Set<() => void>();

  /** Registers `wake`; the returned function unregisters it (so waits that lost a race do not pile up). */
  on(wake: () => void): () => void {
    this.waiters.add(wake);
    return () => this.waiters.delete(wake);
  }

  notify(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w();
  }
}

/** Resolves on the first of the signals (or after `ms`), leaving nothing registered behind. */
export function firstOf(signals: Signal[], ms?: number): Promise<void> {
  return new Promise((resolve) => {
    const offs: Array<() => void> = [];
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      for (const off of offs) off();
      if (timer) clearTimeout(timer);
      resolve();
    };
    for (const signal of signals) offs.push(signal.on(done));
    if (ms !== undefined) timer = setTimeout(done, ms);
  });
}

interface StoredRecord {
  key: string | null;
  value: Buffer;
  headers: Readonly<Record<string, string>>;
  timestamp: string;
}

/** Fewest records a trim drops (see PartitionLog.trim). */
const TRIM_BLOCK = 4096;

/** One partition: an ordered log of records, trimmed from the front once every group read them. */
export class PartitionLog {
  /** Offset of records[0]: older records were dropped once every group had committed past them. */
  base = 0;
  records: StoredRecord[] = [];
  readonly changed = new Signal();
  private wakeScheduled = false;

  constructor(private readonly maxRecords: number) {}

  get end(): number {
    return this.base + this.records.length;
  }

  append(r: OutgoingRecord): number {
    this.records.push({
      key: r.key,
      value: typeof r.value === 'string' ? Buffer.from(r.value) : r.value,
      headers: { ...r.headers },
      timestamp: String(Date.now()),
    });
    if (this.records.length > this.maxRecords) this.trim(this.end - this.maxRecords);
    // Consumers learn of it after the producer's promise settles, as with a broker; one wake-up
    // per turn of the event loop, however many records a fan-out appended.
    if (!this.wakeScheduled) {
      this.wakeScheduled = true;
      setImmediate(() => {
        this.wakeScheduled = false;
        this.changed.notify();
      });
    }
    return this.end - 1;
  }

  read(topic: string, partition: number, from: number, max: number): BusRecord[] {
    const start = Math.max(from, this.base);
    const out: BusRecord[] = [];
    for (let offset = start; offset < this.end && out.length < max; offset++) {
      const r = this.records[offset - this.base] as StoredRecord;
      out.push({ topic, partition, offset: String(offset), key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp });
    }
    return out;
  }

  /**
   * Drops records below `offset` (never past the end), in blocks of at least TRIM_BLOCK: removing
   * from the front of an array moves every record behind, so one record per commit (or per append
   * at the cap) would cost that move each time. A log may hold up to TRIM_BLOCK more than asked.
   */
  trim(offset: number): void {
    const drop = Math.min(offset, this.end) - this.base;
    if (drop <= 0 || (drop < TRIM_BLOCK && drop < this.records.length)) return;
    this.records.splice(0, drop);
    this.base += drop;
  }
}

export class MemoryTopic {
  readonly partitions: PartitionLog[];
  private roundRobin = 0;

  constructor(
    readonly name: string,
    numPartitions: number,
    maxRecords: number,
  ) {
    this.partitions = Array.from({ length: numPartitions }, () => new PartitionLog(maxRecords));
  }

  partitionFor(key: string | null): number {
    const n = this.partitions.length;
    if (key === null) return this.roundRobin++ % n;
    // FNV-1a over the key's bytes: stable, so a key always lands on the same partition.
    let h = 0x811c9dc5;
    for (const byte of Buffer.from(key)) {
      h ^= byte;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h % n;
  }
}

/** The map key of one topic-partition. */
export const tp = (topic: string, partition: number) => `${topic}\u0000${partition}`;
