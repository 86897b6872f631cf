import { CompressionTypes, type Message, type Producer } from '@gateway/kafkajs';
import type { BusPublisher, OutgoingRecord, PublishOptions } from '../port';

/** A kafkajs producer behind the port: one `publish` is one produce request, acks from every in-sync replica. */
export class KafkaPublisher implements BusPublisher {
  constructor(private readonly producer: Producer) {}

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  async publish(records: readonly OutgoingRecord[], options: PublishOptions = {}): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const r of records) {
      const list = byTopic.get(r.topic);
      const message: Message = { key: r.key, value: r.value, headers: r.headers ? { ...r.headers } : undefined };
      if (list) list.push(message);
      else byTopic.set(r.topic, [message]);
    }
    await this.producer.sendBatch({
      acks: -1,
      ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
      ...(options.gzip ? { compression: CompressionTypes.GZIP } : {}),
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }
}
