import { randomBytes } from 'node:crypto';
import type { BatchControl, BusConsumer, ConsumerEvents, ConsumerOptions, RunOptions, Subscription } from '@gateway/bus';
import type { GroupMember, MemoryGroup } from './group';
import { BusError, firstOf, Signal, tp, type MemoryTopic, type PartitionLog } from './partition-log';

/** What a consumer needs of the bus. */
export interface MemoryState {
  readonly topics: ReadonlyMap<string, MemoryTopic>;
  topic(name: string): MemoryTopic;
  group(id: string): MemoryGroup;
}

type Listeners = { [E in keyof ConsumerEvents]: Set<(payload: ConsumerEvents[E]) => void> };

/** Records one batch hands its handler at most. */
const MAX_BATCH = 500;

/**
 * A member of a group: one loop per partition it holds, each handing its handler a batch from the
 * committed offset on. A handler that throws gets the same records again from the last committed
 * offset (at-least-once), after a short back-off.
 */
export class MemoryConsumer implements BusConsumer, GroupMember {
  readonly memberId = `memory-${randomBytes(6).toString('hex')}`;
  private readonly listeners: Listeners = { joined: new Set(), crashed: new Set() };
  private topics: string[] = [];
  private fromBeginning = false;
  private connected = false;
  private handler: RunOptions['eachBatch'] | undefined;
  private running = false;
  private assignment = new Map<string, number[]>();
  private readonly loops = new Map<string, Promise<void>>();
  private readonly changed = new Signal();
  private slots = 1;
  private readonly slotWaiters: Array<() => void> = [];

  constructor(
    private readonly bus: MemoryState,
    private readonly options: ConsumerOptions,
  ) {}

  subscribed(): string[] {
    return this.running ? this.topics : [];
  }

  async connect(): Promise<void> {
    this.connected = true;
  }

  async subscribe(subscription: Subscription): Promise<void> {
    if (this.running) throw new BusError('subscribe before run()');
    for (const t of subscription.topics) {
      if (!this.bus.topics.has(t)) throw new BusError(`This server does not host this topic-partition: ${t}`);
      if (!this.topics.includes(t)) this.topics.push(t);
    }
    this.fromBeginning = subscription.fromBeginning ?? false;
  }

  async run(options: RunOptions): Promise<void> {
    if (!this.connected) throw new BusError('connect() before run()');
    if (this.running) throw new BusError('the consumer is already running');
    this.handler = options.eachBatch;
    this.slots = Math.max(1, options.partitionsConcurrently ?? 1);
    this.running = true;
    this.bus.group(this.options.groupId).join(this);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.bus.group(this.options.groupId).leave(this);
    this.changed.notify();
    await Promise.all(this.loops.values());
  }

  async disconnect(): Promise<void> {
    await this.stop();
    this.connected = false;
  }

  on<E extends keyof ConsumerEvents>(event: E, listener: (payload: ConsumerEvents[E]) => void): () => void {
    const set: Listeners[E] = this.listeners[event];
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  /** Called by the group: starts loops for new partitions; loops of partitions taken away end after their batch. */
  assign(assignment: Map<string, number[]>): void {
    this.assignment = assignment;
    this.changed.notify();
    for (const [topic, partitions] of assignment) {
      for (const partition of partitions) {
        const key = tp(topic, partition);
        if (this.loops.has(key)) continue;
        const loop = this.consume(topic, partition).finally(() => this.loops.delete(key));
        this.loops.set(key, loop);
      }
    }
    const joined = { memberId: this.memberId, assignment: Object.fromEntries(assignment) };
    setImmediate(() => {
      for (const l of this.listeners.joined) l(joined);
    });
  }

  private owns(topic: string, partition: number): boolean {
    return this.running && (this.assignment.get(topic)?.includes(partition) ?? false);
  }

  private async slot(): Promise<() => void> {
    while (this.slots === 0) await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    this.slots -= 1;
    return () => {
      this.slots += 1;
      this.slotWaiters.shift()?.();
    };
  }

  private async consume(topic: string, partition: number): Promise<void> {
    const group = this.bus.group(this.options.groupId);
    const key = tp(topic, partition);
    // Wait for the partition's previous holder (another member, before a rebalance) to finish.
    for (let previous = group.holders.get(key); previous; previous = group.holders.get(key)) await previous.done;
    let finish: () => void = () => undefined;
    const holder = { done: new Promise<void>((resolve) => (finish = resolve)) };
    group.holders.set(key, holder);
    try {
      await this.consumeHeld(group, topic, partition, () => group.holders.get(key) === holder);
    } finally {
      group.holders.delete(key);
      finish();
    }
  }

  private async consumeHeld(group: MemoryGroup, topic: string, partition: number, holds: () => boolean): Promise<void> {
    const key = tp(topic, partition);
    const log = this.bus.topic(topic).partitions[partition] as PartitionLog;
    const handler = this.handler;
    if (!handler) return;
    let failures = 0;
    let position = group.committed.get(key) ?? (this.fromBeginning ? log.base : log.end);
    while (this.owns(topic, partition)) {
      if (position >= log.end) {
        await firstOf([log.changed, this.changed]);
        continue;
      }
      const release = await this.slot();
      if (!this.owns(topic, partition)) {
        release();
        break;
      }
      const records = log.read(topic, partition, position, MAX_BATCH);
      let resolved = position;
      // The holder's commits count until its loop ends, even while it stops or loses the
      // partition: the next holder starts from them (a broker commits a draining member's too).
      const commit = () => {
        if (holds() && resolved > (group.committed.get(key) ?? -1)) group.commit(topic, partition, resolved);
      };
      const control: BatchControl = {
        resolve: (offset) => (resolved = Math.max(resolved, Number(offset) + 1)),
        commit: async () => commit(),
        heartbeat: async () => undefined,
        isRunning: () => this.running,
        isStale: () => !this.owns(topic, partition),
      };
      try {
        await handler({ topic, partition, records }, control);
        commit();
        failures = 0;
      } catch (thrown) {
        // As a broker-backed consumer does: keep what was resolved, start again from there.
        commit();
        failures += 1;
        // kafkajs gives up on an error it deems non-retriable (a TypeError, a `retriable: false`
        // error): it disconnects and does not restart. So does this consumer, so that the embedded
        // mode fails as visibly as the real one. It never loses its group, so it restarts every
        // other crash (restartOnFailure counts failed rejoins, which cannot happen here).
        const error = thrown instanceof Error ? thrown : new Error(String(thrown));
        const restart = isRetriable(error);
        for (const l of this.listeners.crashed) l({ error, restart });
        if (!restart) {
          void this.stop();
          return;
        }
        await firstOf([this.changed], Math.min(5_000, 100 * 2 ** Math.min(failures - 1, 6)));
      } finally {
        release();
      }
      const next = group.committed.get(key) ?? resolved;
      // A handler that returned without resolving anything gets the batch again, but not in a
      // loop of microtasks that would starve the process.
      if (next === position) await new Promise((resolve) => setImmediate(resolve));
      position = next;
    }
  }
}

/** kafkajs's rule (src/retry/index.js): these errors are bugs, and an error may say it is not retriable. */
const UNRECOVERABLE_ERRORS = new Set(['RangeError', 'ReferenceError', 'SyntaxError', 'TypeError']);
function isRetriable(error: Error): boolean {
  return !UNRECOVERABLE_ERRORS.has(error.name) && !('retriable' in error && error.retriable === false);
}
