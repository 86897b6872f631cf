import { sendChunked, type BusPublisher, type OutgoingRecord } from '@gateway/bus';
import type { Logger } from '@gateway/common';
import type { Delays } from '../data-access/delay-queue';

export interface RetryMoverOptions {
  delay: Delays;
  producer: BusPublisher;
  retryTopic: string;
  logger: Logger;
  /** Longest sleep between two looks at the delay (a retry scheduled by another replica is seen within this). */
  pollMs: number;
  /** How long taken items are hidden from other movers while this one produces them. */
  leaseMs: number;
  batchSize: number;
  onMoved?: (count: number) => void;
}

/**
 * Moves due retries from the delay (Redis) to the retry topic. Every replica runs one; the take is
 * atomic, so they share the work. Take (hidden for a lease) → produce (acks=all) → remove: a crash
 * between produce and remove re-produces the items after the lease, and the claim makes the
 * second copy skip the provider. Sleeps until the earliest due time (at most `pollMs`), and wakes
 * early when this process schedules something sooner.
 */
export class RetryMover {
  private stopped = false;
  private loop: Promise<void> | undefined;
  private sleepUntil = 0;
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeSleep: (() => void) | undefined;

  constructor(private readonly options: RetryMoverOptions) {
    if (!(options.pollMs > 0) || !(options.leaseMs > 0) || !(options.batchSize > 0)) throw new RangeError('RetryMover: pollMs, leaseMs and batchSize must be positive');
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** A retry due at `dueAt` was scheduled here: sleep no longer than until then. */
  notify(dueAt: number): void {
    if (dueAt >= this.sleepUntil || !this.wakeSleep) return;
    this.sleepUntil = dueAt;
    clearTimeout(this.wakeTimer);
    const wake = this.wakeSleep;
    this.wakeTimer = setTimeout(wake, Math.max(0, dueAt - Date.now()));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeSleep?.();
    await this.loop;
  }

  /** One pass: moves what is due now; returns how many. */
  async moveDue(): Promise<number> {
    const { delay, leaseMs, batchSize } = this.options;
    let moved = 0;
    while (!this.stopped) {
      const taken = await delay.take(Date.now(), leaseMs, batchSize);
      if (taken.length === 0) break;
      const records: OutgoingRecord[] = taken.map(({ item }) => ({
        topic: this.options.retryTopic,
        key: item.key ?? item.message.recipient.id,
        value: JSON.stringify(item.message),
        headers: { ...item.headers, 'due-at': new Date(item.dueAt).toISOString() },
      }));
      await sendChunked(this.options.producer, records, { timeoutMs: Math.max(1000, leaseMs - 1000) });
      await Promise.all(taken.map(({ id, raw }) => delay.remove(id, raw)));
      moved += taken.length;
      this.options.onMoved?.(taken.length);
      if (taken.length < batchSize) break;
    }
    return moved;
  }

  private async run(): Promise<void> {
    const { delay, logger, pollMs } = this.options;
    while (!this.stopped) {
      let nap = pollMs;
      try {
        await this.moveDue();
        const next = await delay.nextDue();
        if (next !== undefined) nap = Math.min(pollMs, Math.max(0, next - Date.now()));
      } catch (err) {
        logger.warn({ err: (err as Error).message }, 'retry mover pass failed; trying again');
      }
      if (this.stopped) break;
      await this.sleep(nap);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.sleepUntil = Date.now() + ms;
      const done = () => {
        clearTimeout(this.wakeTimer);
        this.wakeSleep = undefined;
        this.sleepUntil = 0;
        resolve();
      };
      this.wakeSleep = done;
      this.wakeTimer = setTimeout(done, ms);
    });
  }
}
