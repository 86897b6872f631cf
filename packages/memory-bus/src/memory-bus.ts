import type { Bus, BusAdmin, BusConsumer, BusPublisher, ConsumerOptions, GroupOffsets, NewTopic, OutgoingRecord, PartitionOffsets } from '@gateway/bus';
import { MemoryConsumer, type MemoryState } from './consumer';
import { MemoryGroup } from './group';
import { BusError, MemoryTopic, tp } from './partition-log';

/**
 * An in-process message bus with Kafka's semantics, for the embedded mode (`npm start` with no
 * KAFKA_BROKERS): topics of partitions holding ordered records; a key always goes to the same
 * partition; consumer groups share a topic's partitions among their members and remember
 * committed offsets; a handler that throws gets the same records again from the last committed
 * offset (at-least-once), after a short back-off. Records live in memory only: they are lost when
 * the process ends, which the gateway says at startup.
 */
export class MemoryBus implements Bus, MemoryState {
  readonly topics = new Map<string, MemoryTopic>();
  readonly groups = new Map<string, MemoryGroup>();

  constructor(readonly options: { maxRecordsPerPartition?: number } = {}) {}

  publisher(): BusPublisher {
    return new MemoryPublisher(this);
  }

  consumer(options: ConsumerOptions): BusConsumer {
    return new MemoryConsumer(this, options);
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
      group = new MemoryGroup(this.topics, () => this.groups.values(), id);
      this.groups.set(id, group);
    }
    return group;
  }

  /** Appends the records, all or nothing, as one produce request: every topic is checked first. */
  append(records: readonly OutgoingRecord[]): void {
    for (const r of records) this.topic(r.topic);
    for (const r of records) {
      const topic = this.topic(r.topic);
      const log = topic.partitions[topic.partitionFor(r.key)];
      if (!log) throw new BusError(`topic ${r.topic} has no partition for key ${r.key}`);
      log.append(r);
    }
  }
}

class MemoryPublisher implements BusPublisher {
  private connected = false;

  constructor(private readonly bus: MemoryBus) {}

  async connect(): Promise<void> {
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    this.connected = false;
  }

  async publish(records: readonly OutgoingRecord[]): Promise<void> {
    if (!this.connected) throw new BusError('The producer is disconnected');
    this.bus.append(records);
  }
}

class MemoryAdmin implements BusAdmin {
  constructor(private readonly bus: MemoryBus) {}

  async connect(): Promise<void> {}

  async disconnect(): Promise<void> {}

  async listTopics(): Promise<string[]> {
    return [...this.bus.topics.keys()];
  }

  async createTopics(topics: readonly NewTopic[]): Promise<boolean> {
    let created = false;
    for (const t of topics) created = this.bus.createTopic(t.topic, t.partitions) || created;
    return created;
  }

  async describeCluster(): Promise<{ clusterId: string; brokers: number }> {
    return { clusterId: 'embedded', brokers: 1 };
  }

  async topicOffsets(topic: string): Promise<PartitionOffsets[]> {
    return this.bus.topic(topic).partitions.map((log, partition) => ({ partition, high: String(log.end), low: String(log.base) }));
  }

  /** A group's committed offsets (the next offset to read), `-1` where it committed none, as Kafka answers. */
  async groupOffsets(groupId: string, topics: readonly string[]): Promise<GroupOffsets[]> {
    const committed = this.bus.groups.get(groupId)?.committed;
    return topics.map((topic) => ({
      topic,
      partitions: this.bus.topic(topic).partitions.map((_, partition) => ({ partition, offset: String(committed?.get(tp(topic, partition)) ?? -1) })),
    }));
  }

  async setGroupOffsets(groupId: string, topic: string, partitions: ReadonlyArray<{ partition: number; offset: string }>): Promise<void> {
    const group = this.bus.group(groupId);
    if (group.members.length > 0) throw new BusError(`The group ${groupId} has members: offsets can only be set while it is empty`);
    for (const p of partitions) group.committed.set(tp(topic, p.partition), Number(p.offset));
  }
}
