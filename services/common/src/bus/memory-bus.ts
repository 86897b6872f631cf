import { randomBytes } from 'node:crypto';
import type {
  ConsumerConfig,
  ConsumerCrashEvent,
  ConsumerGroupJoinEvent,
  ConsumerRunConfig,
  ConsumerSubscribeTopics,
  EachBatchPayload,
  IHeaders,
  ITopicConfig,
  KafkaMessage,
  Message,
  ProducerBatch,
  ProducerRecord,
  RecordMetadata,
} from 'kafkajs';
import type { BusAdmin, BusClient, BusConsumer, BusProducer } from './port';

/**
 * An in-process message bus with Kafka's semantics, for the embedded mode (`npm start` with no
 * KAFKA_BROKERS): topics of partitions holding ordered records; a key always goes to the same
 * partition; consumer groups share a topic's partitions among their members and remember
 * committed offsets; a handler that throws gets the same records again from the last committed
 * offset (at-least-once), after a short back-off. Records live in memory only: they are lost when
 * the process ends, which the gateway says at startup.
 */
export class MemoryBus implements BusClient {
  readonly topics = new Map<string, MemoryTopic>();
  readonly groups = new Map<string, MemoryGroup>();

  constructor(readonly options: { defaultPartitions?: number; maxRecordsPerPartition?: number } = {}) {}

  producer(): BusProducer {
    return new MemoryProducer(this);
  }

  consumer(config: ConsumerConfig): BusConsumer {
    return new MemoryConsumer(this, config);
  }

  admin(): BusAdmin {
    return new MemoryAdmin(this);
  }

  createTopic(name: string, numPartitions: number): boolean {
    if (this.topics.has(name)) return false;
    if (!(numPartitions >= 1)) throw new Error(`topic ${name}: numPartitions must be at least 1`);
    this.topics.set(name, new MemoryTopic(name, numPartitions, this.options.maxRecordsPerPartition ?? 200_000));
    for (const group of this.groups.values()) group.rebalance();
    return true;
  }

  topic(name: string): MemoryTopic {
    const topic = this.topics.get(name);
    if (!topic) throw new BusError(`This server does not host this topic-partition: ${name} (create it first)`);
    return topic;
  }

  group(id: string): MemoryGroup {
    let group = this.groups.get(id);
    if (!group) {
      group = new MemoryGroup(this, id);
      this.groups.set(id, group);
    }
    return group;
  }

  append(topicName: string, messages: Message[]): RecordMetadata[] {
    const topic = this.topic(topicName);
    const byPartition = new Map<number, number>();
    for (const m of messages) {
      const partition = m.partition ?? topic.partitionFor(m.key ?? null);
      const log = topic.partitions[partition];
      if (!log) throw new BusError(`topic ${topicName} has no partition ${partition}`);
      const offset = log.append(m);
      if (!byPartition.has(partition)) byPartition.set(partition, offset);
    }
    return [...byPartition].map(([partition, baseOffset]) => ({ topicName, partition, errorCode: 0, baseOffset: String(baseOffset) }));
  }
}

class BusError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BusError';
  }
}

/** Wakes its waiters when something changed (a record appended, a member left). */
class Signal {
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
function firstOf(signals: Signal[], ms?: number): Promise<void> {
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
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
  timestamp: string;
}

/** Fewest records a trim drops (see PartitionLog.trim). */
const TRIM_BLOCK = 4096;

class PartitionLog {
  /** Offset of records[0]: older records were dropped once every group had committed past them. */
  base = 0;
  records: StoredRecord[] = [];
  readonly changed = new Signal();
  private wakeScheduled = false;

  constructor(private readonly maxRecords: number) {}

  get end(): number {
    return this.base + this.records.length;
  }

  append(m: Message): number {
    const headers: IHeaders = {};
    for (const [k, v] of Object.entries(m.headers ?? {})) {
      if (v === undefined) continue;
      headers[k] = Array.isArray(v) ? v.map(toBuffer) : toBuffer(v);
    }
    this.records.push({
      key: m.key === null || m.key === undefined ? null : toBuffer(m.key),
      value: m.value === null || m.value === undefined ? null : toBuffer(m.value),
      headers,
      timestamp: String(m.timestamp ?? Date.now()),
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

  read(from: number, max: number): KafkaMessage[] {
    const start = Math.max(from, this.base);
    const out: KafkaMessage[] = [];
    for (let offset = start; offset < this.end && out.length < max; offset++) {
      const r = this.records[offset - this.base] as StoredRecord;
      out.push({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp, attributes: 0, offset: String(offset) });
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

class MemoryTopic {
  readonly partitions: PartitionLog[];
  private roundRobin = 0;

  constructor(
    readonly name: string,
    numPartitions: number,
    maxRecords: number,
  ) {
    this.partitions = Array.from({ length: numPartitions }, () => new PartitionLog(maxRecords));
  }

  partitionFor(key: Buffer | string | null): number {
    const n = this.partitions.length;
    if (key === null) return this.roundRobin++ % n;
    // FNV-1a over the key's bytes: stable, so a key always lands on the same partition.
    let h = 0x811c9dc5;
    for (const byte of typeof key === 'string' ? Buffer.from(key) : key) {
      h ^= byte;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h % n;
  }
}

const tp = (topic: string, partition: number) => `${topic}\u0000${partition}`;

class MemoryGroup {
  readonly members: MemoryConsumer[] = [];
  readonly committed = new Map<string, number>();
  /**
   * The loop that holds each partition. A new owner after a rebalance waits until the previous
   * one finished its batch and committed, as a broker's rebalance does: never two handlers on one
   * partition at once, and the previous owner's last commit counts.
   */
  readonly holders = new Map<string, { done: Promise<void> }>();

  constructor(
    private readonly bus: MemoryBus,
    readonly id: string,
  ) {}

  join(member: MemoryConsumer): void {
    if (!this.members.includes(member)) this.members.push(member);
    this.rebalance();
  }

  leave(member: MemoryConsumer): void {
    const i = this.members.indexOf(member);
    if (i >= 0) this.members.splice(i, 1);
    this.rebalance();
  }

  /** Each subscribed topic's partitions, dealt round-robin to the members subscribed to it. */
  rebalance(): void {
    const assignments = new Map<MemoryConsumer, Map<string, number[]>>(this.members.map((m) => [m, new Map()]));
    const topics = new Set(this.members.flatMap((m) => m.subscribed()));
    for (const name of topics) {
      const topic = this.bus.topics.get(name);
      if (!topic) continue;
      const members = this.members.filter((m) => m.subscribed().includes(name)).sort((a, b) => a.memberId.localeCompare(b.memberId));
      topic.partitions.forEach((_, partition) => {
        const member = members[partition % members.length] as MemoryConsumer;
        const own = assignments.get(member) as Map<string, number[]>;
        own.set(name, [...(own.get(name) ?? []), partition]);
      });
    }
    for (const [member, assignment] of assignments) member.assign(assignment);
  }

  commit(topic: string, partition: number, offset: number): void {
    const key = tp(topic, partition);
    if ((this.committed.get(key) ?? -1) < offset) this.committed.set(key, offset);
    this.trimConsumed(topic, partition);
  }

  /**
   * Records every group with members reading this topic has committed past are not needed any
   * more. A reading group without a commit yet keeps everything.
   */
  private trimConsumed(topic: string, partition: number): void {
    const log = this.bus.topics.get(topic)?.partitions[partition];
    if (!log || log.records.length < 10_000) return;
    let min = Infinity;
    for (const group of this.bus.groups.values()) {
      if (!group.members.some((m) => m.subscribed().includes(topic))) continue;
      min = Math.min(min, group.committed.get(tp(topic, partition)) ?? log.base);
    }
    if (Number.isFinite(min)) log.trim(min);
  }
}

type Listener = (event: never) => void;

class MemoryConsumer implements BusConsumer {
  readonly events = { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' } as const;
  readonly memberId = `memory-${randomBytes(6).toString('hex')}`;
  private readonly listeners = new Map<string, Set<Listener>>();
  private topics: string[] = [];
  private fromBeginning = false;
  private connected = false;
  private config: ConsumerRunConfig | undefined;
  private running = false;
  private assignment = new Map<string, number[]>();
  private readonly loops = new Map<string, Promise<void>>();
  private readonly changed = new Signal();
  private slots = 1;
  private readonly slotWaiters: Array<() => void> = [];

  constructor(
    private readonly bus: MemoryBus,
    private readonly config0: ConsumerConfig,
  ) {}

  subscribed(): string[] {
    return this.running ? this.topics : [];
  }

  async connect(): Promise<void> {
    this.connected = true;
  }

  async subscribe(subscription: ConsumerSubscribeTopics): Promise<void> {
    if (this.running) throw new BusError('subscribe before run()');
    for (const t of subscription.topics) {
      if (typeof t !== 'string') throw new BusError('the embedded bus subscribes to topic names, not patterns');
      if (!this.bus.topics.has(t)) throw new BusError(`This server does not host this topic-partition: ${t}`);
      if (!this.topics.includes(t)) this.topics.push(t);
    }
    this.fromBeginning = subscription.fromBeginning ?? false;
  }

  async run(config: ConsumerRunConfig = {}): Promise<void> {
    if (!this.connected) throw new BusError('connect() before run()');
    if (this.running) throw new BusError('the consumer is already running');
    if (!config.eachBatch && !config.eachMessage) throw new BusError('run() needs eachBatch or eachMessage');
    this.config = config;
    this.slots = Math.max(1, config.partitionsConsumedConcurrently ?? 1);
    this.running = true;
    this.bus.group(this.config0.groupId).join(this);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.bus.group(this.config0.groupId).leave(this);
    this.changed.notify();
    await Promise.all(this.loops.values());
  }

  async disconnect(): Promise<void> {
    await this.stop();
    this.connected = false;
  }

  on(eventName: string, listener: Listener): () => void {
    const set = this.listeners.get(eventName) ?? new Set();
    set.add(listener);
    this.listeners.set(eventName, set);
    return () => set.delete(listener);
  }

  private emit(eventName: string, payload: unknown): void {
    const event = { id: Date.now(), type: eventName, timestamp: Date.now(), payload };
    for (const l of this.listeners.get(eventName) ?? []) (l as (e: unknown) => void)(event);
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
    const memberAssignment = Object.fromEntries(assignment);
    const payload: ConsumerGroupJoinEvent['payload'] = {
      duration: 0,
      groupId: this.config0.groupId,
      isLeader: false,
      leaderId: '',
      groupProtocol: 'RoundRobinAssigner',
      memberId: this.memberId,
      memberAssignment,
    };
    setImmediate(() => this.emit(this.events.GROUP_JOIN, payload));
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
    const group = this.bus.group(this.config0.groupId);
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
    const config = this.config as ConsumerRunConfig;
    const maxBatch = 500;
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
      const messages = log.read(position, maxBatch);
      let resolved = position;
      // The holder's commits count until its loop ends, even while it stops or loses the
      // partition: the next holder starts from them (a broker commits a draining member's too).
      const commit = () => {
        if (holds() && resolved > (group.committed.get(key) ?? -1)) group.commit(topic, partition, resolved);
      };
      try {
        if (config.eachMessage) {
          for (const message of messages) {
            if (!this.owns(topic, partition)) break;
            await config.eachMessage({ topic, partition, message, heartbeat: async () => undefined, pause: () => () => undefined });
            resolved = Number(message.offset) + 1;
            commit();
          }
        } else if (config.eachBatch) {
          const payload: EachBatchPayload = {
            batch: {
              topic,
              partition,
              highWatermark: String(log.end),
              messages,
              isEmpty: () => messages.length === 0,
              firstOffset: () => messages[0]?.offset ?? null,
              lastOffset: () => messages[messages.length - 1]?.offset ?? String(position - 1),
              offsetLag: () => String(log.end - 1 - Number(messages[messages.length - 1]?.offset ?? position - 1)),
              offsetLagLow: () => String(log.end - 1 - Number(messages[0]?.offset ?? position)),
            },
            resolveOffset: (offset) => (resolved = Math.max(resolved, Number(offset) + 1)),
            heartbeat: async () => undefined,
            pause: () => () => undefined,
            commitOffsetsIfNecessary: async () => commit(),
            uncommittedOffsets: () => ({ topics: [{ topic, partitions: [{ partition, offset: String(resolved) }] }] }),
            isRunning: () => this.running,
            isStale: () => !this.owns(topic, partition),
          };
          await config.eachBatch(payload);
          if (config.eachBatchAutoResolve !== false) resolved = Number(messages[messages.length - 1]?.offset ?? position - 1) + 1;
        }
        commit();
        failures = 0;
      } catch (error) {
        // As a broker-backed consumer does: keep what was resolved, start again from there.
        commit();
        failures += 1;
        // kafkajs gives up on an error it deems non-retriable (a TypeError, a `retriable: false`
        // error): it disconnects and does not restart. So does this consumer, so that the embedded
        // mode fails as visibly as the real one.
        const restart = isRetriable(error);
        const crash: ConsumerCrashEvent['payload'] = { error: error as Error, groupId: this.config0.groupId, restart };
        this.emit(this.events.CRASH, crash);
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

class MemoryProducer implements BusProducer {
  private connected = false;

  constructor(private readonly bus: MemoryBus) {}

  async connect(): Promise<void> {
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    this.connected = false;
  }

  async send(record: ProducerRecord): Promise<RecordMetadata[]> {
    if (!this.connected) throw new BusError('The producer is disconnected');
    return this.bus.append(record.topic, record.messages);
  }

  async sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    if (!this.connected) throw new BusError('The producer is disconnected');
    const topicMessages = batch.topicMessages ?? [];
    // All or nothing, as one produce request: check every topic first.
    for (const t of topicMessages) this.bus.topic(t.topic);
    return topicMessages.flatMap((t) => this.bus.append(t.topic, t.messages));
  }
}

class MemoryAdmin implements BusAdmin {
  constructor(private readonly bus: MemoryBus) {}

  async connect(): Promise<void> {}

  async disconnect(): Promise<void> {}

  async listTopics(): Promise<string[]> {
    return [...this.bus.topics.keys()];
  }

  async createTopics(options: { topics: ITopicConfig[] }): Promise<boolean> {
    let created = false;
    for (const t of options.topics) created = this.bus.createTopic(t.topic, t.numPartitions ?? this.bus.options.defaultPartitions ?? 1) || created;
    return created;
  }

  async describeCluster() {
    return { brokers: [{ nodeId: 0, host: 'in-process', port: 0 }], controller: 0, clusterId: 'embedded' };
  }

  async fetchTopicOffsets(topic: string) {
    return this.bus.topic(topic).partitions.map((log, partition) => ({ partition, offset: String(log.end), high: String(log.end), low: String(log.base) }));
  }

  /** A group's committed offsets (the next offset to read), `-1` where it committed none, as Kafka answers. */
  async fetchOffsets(options: { groupId: string; topics?: string[] }) {
    const committed = this.bus.groups.get(options.groupId)?.committed;
    return (options.topics ?? []).map((topic) => ({
      topic,
      partitions: this.bus.topic(topic).partitions.map((_, partition) => ({ partition, offset: String(committed?.get(tp(topic, partition)) ?? -1), metadata: null })),
    }));
  }

  async setOffsets(options: { groupId: string; topic: string; partitions: Array<{ partition: number; offset: string }> }): Promise<void> {
    const group = this.bus.group(options.groupId);
    if (group.members.length > 0) throw new BusError(`The group ${options.groupId} has members: offsets can only be set while it is empty`);
    for (const p of options.partitions) group.committed.set(tp(options.topic, p.partition), Number(p.offset));
  }
}

/** kafkajs's rule (src/retry/index.js): these errors are bugs, and an error may say it is not retriable. */
const UNRECOVERABLE_ERRORS = new Set(['RangeError', 'ReferenceError', 'SyntaxError', 'TypeError']);
function isRetriable(error: unknown): boolean {
  if (!(error instanceof Error)) return true;
  return !UNRECOVERABLE_ERRORS.has(error.name) && (error as { retriable?: boolean }).retriable !== false;
}

function toBuffer(v: Buffer | string): Buffer {
  return typeof v === 'string' ? Buffer.from(v) : v;
}
