import type {
  Admin,
  ConsumerConfig,
  ConsumerCrashEvent,
  ConsumerEvents,
  ConsumerGroupJoinEvent,
  ConsumerRunConfig,
  ConsumerSubscribeTopics,
  Producer,
  ProducerConfig,
} from 'kafkajs';

/**
 * The message bus port: the part of a Kafka client the services use. kafkajs's `Kafka` satisfies
 * it as it is (production), and `MemoryBus` implements it in-process (embedded mode). Both run
 * the same conformance suite (`tests/conformance/bus.conformance.test.ts`).
 */
export type BusProducer = Pick<Producer, 'connect' | 'disconnect' | 'send' | 'sendBatch'>;

export type BusAdmin = Pick<Admin, 'connect' | 'disconnect' | 'listTopics' | 'createTopics' | 'describeCluster' | 'fetchTopicOffsets' | 'fetchOffsets' | 'setOffsets'>;

export interface BusConsumer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  subscribe(subscription: ConsumerSubscribeTopics): Promise<void>;
  run(config?: ConsumerRunConfig): Promise<void>;
  stop(): Promise<void>;
  readonly events: Pick<ConsumerEvents, 'GROUP_JOIN' | 'CRASH'>;
  on(eventName: ConsumerEvents['GROUP_JOIN'], listener: (event: ConsumerGroupJoinEvent) => void): () => void;
  on(eventName: ConsumerEvents['CRASH'], listener: (event: ConsumerCrashEvent) => void): () => void;
}

export interface BusClient {
  producer(config?: ProducerConfig): BusProducer;
  consumer(config: ConsumerConfig): BusConsumer;
  admin(): BusAdmin;
}
