import type { BusPublisher, OutgoingRecord } from './port';

interface Pending {
  record: OutgoingRecord;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Groups concurrent publishes into one produce request: while one request is in flight, new
 * records queue and leave together in the next one. At low load a record leaves at once; under
 * load a batch forms by itself. Each caller's promise settles only when the broker acknowledged
 * (or refused) its own record. One request at a time keeps per-key order.
 */
export class BatchingPublisher {
  private queue: Pending[] = [];
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly publisher: BusPublisher,
    private readonly options: {
      maxBatch: number;
      ackTimeoutMs: number;
      /**
       * Waits this long for more records before a request that is not full (0: none). A few
       * milliseconds turn a request per status into one per few hundred when they trickle in,
       * which is most of a channel worker's Kafka cost.
       */
      lingerMs?: number;
    },
  ) {}

  publish(record: OutgoingRecord): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ record, resolve, reject });
      if (!this.inFlight) this.inFlight = this.drain();
    });
  }

  /** Resolves when everything queued so far has settled. */
  async flush(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const linger = this.options.lingerMs ?? 0;
      if (linger > 0 && this.queue.length < this.options.maxBatch) await new Promise((resolve) => setTimeout(resolve, linger));
      const batch = this.queue.splice(0, this.options.maxBatch);
      try {
        await this.publisher.publish(
          batch.map((p) => p.record),
          { timeoutMs: this.options.ackTimeoutMs },
        );
        for (const p of batch) p.resolve();
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    this.inFlight = undefined;
  }
}

/**
 * Sends many records as a few produce requests, each under `maxBytes` (every partition's record
 * batch must stay under the broker's message.max.bytes, 1 MiB by default; with keys spread over
 * the partitions a request can carry several MiB), waiting for every in-sync replica. Up to
 * `concurrency` requests are in flight at once: use it only where the order between the records
 * of one call does not matter (one event's fan-out: one record per recipient and channel).
 * `between` runs after each request (e.g. a consumer heartbeat during a long fan-out).
 */
export async function sendChunked(
  publisher: BusPublisher,
  records: readonly OutgoingRecord[],
  options: { maxBytes?: number; timeoutMs?: number; concurrency?: number; gzip?: boolean; between?: () => Promise<void> } = {},
): Promise<void> {
  const maxBytes = options.maxBytes ?? 768 * 1024;
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const chunks: OutgoingRecord[][] = [];
  let chunk: OutgoingRecord[] = [];
  let bytes = 0;
  for (const r of records) {
    const size = (typeof r.value === 'string' ? Buffer.byteLength(r.value) : r.value.length) + (r.key?.length ?? 0) + 64;
    if (bytes + size > maxBytes && chunk.length > 0) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(r);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  let next = 0;
  const lane = async () => {
    while (next < chunks.length) {
      const current = chunks[next++] as OutgoingRecord[];
      await publisher.publish(current, { timeoutMs: options.timeoutMs ?? 30000, gzip: options.gzip ?? false });
      await options.between?.();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, chunks.length) }, lane));
}
