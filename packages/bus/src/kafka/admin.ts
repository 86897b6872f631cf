import type { Admin } from '@gateway/kafkajs';
import type { BusAdmin, GroupOffsets, NewTopic, PartitionOffsets } from '../port';

export class KafkaAdmin implements BusAdmin {
  constructor(private readonly admin: Admin) {}

  connect(): Promise<void> {
    return this.admin.connect();
  }

  disconnect(): Promise<void> {
    return this.admin.disconnect();
  }

  listTopics(): Promise<string[]> {
    return this.admin.listTopics();
  }

  createTopics(topics: readonly NewTopic[], options: { timeoutMs?: number } = {}): Promise<boolean> {
    return this.admin.createTopics({
      topics: topics.map((t) => ({ topic: t.topic, numPartitions: t.partitions, replicationFactor: -1, configEntries: t.configs ? [...t.configs] : [] })),
      waitForLeaders: true,
      ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
    });
  }

  async describeCluster(): Promise<{ clusterId: string; brokers: number }> {
    const { clusterId, brokers } = await this.admin.describeCluster();
    return { clusterId, brokers: brokers.length };
  }

  async topicOffsets(topic: string): Promise<PartitionOffsets[]> {
    return (await this.admin.fetchTopicOffsets(topic)).map(({ partition, low, high }) => ({ partition, low, high }));
  }

  async groupOffsets(groupId: string, topics: readonly string[]): Promise<GroupOffsets[]> {
    return (await this.admin.fetchOffsets({ groupId, topics: [...topics] })).map(({ topic, partitions }) => ({ topic, partitions: partitions.map(({ partition, offset }) => ({ partition, offset })) }));
  }

  setGroupOffsets(groupId: string, topic: string, partitions: ReadonlyArray<{ partition: number; offset: string }>): Promise<void> {
    return this.admin.setOffsets({ groupId, topic, partitions: partitions.map(({ partition, offset }) => ({ partition, offset })) });
  }
}
