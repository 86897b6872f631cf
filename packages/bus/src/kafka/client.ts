import { Kafka, logLevel, Partitioners, type ConsumerConfig, type RetryOptions } from '@gateway/kafkajs';
import type { Bus, BusAdmin, BusConsumer, BusPublisher, ConsumerOptions, PublisherOptions } from '../port';
import type { BusLogger } from '../log';
import { KafkaAdmin } from './admin';
import { KafkaConsumer } from './consumer';
import { kafkajsLogCreator } from './logging';
import { KafkaPublisher } from './publisher';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** Time to open a TCP connection to a broker. */
  connectionTimeoutMs?: number;
  /** Time a broker has to answer one request. */
  requestTimeoutMs?: number;
}

/** The bus on Kafka, through kafkajs (vendored with our encoder changes: packages/kafkajs, docs/adr/0011-kafka-client.md). */
export class KafkaBus implements Bus {
  constructor(private readonly kafka: Kafka) {}

  /**
   * Topics are never created by producing or subscribing (ensureTopics does it). An idempotent
   * publisher has one request in flight and fewer, shorter retries: a request must fail within
   * its timeout so the caller can answer 503.
   */
  publisher(options: PublisherOptions = {}): BusPublisher {
    const producer = options.idempotent
      ? this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner, retry: { initialRetryTime: 100, retries: 3, maxRetryTime: 1000 } })
      : this.kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner, retry: { initialRetryTime: 100, retries: 5, maxRetryTime: 2000 } });
    return new KafkaPublisher(producer);
  }

  consumer(options: ConsumerOptions): BusConsumer {
    const retry: RetryOptions = {};
    if (options.retry?.retries !== undefined) retry.retries = options.retry.retries;
    if (options.retry?.initialRetryTimeMs !== undefined) retry.initialRetryTime = options.retry.initialRetryTimeMs;
    const restartOnFailure = options.restartOnFailure;
    if (restartOnFailure) retry.restartOnFailure = (error) => restartOnFailure(error);
    const config: ConsumerConfig = { groupId: options.groupId, allowAutoTopicCreation: false };
    if (Object.keys(retry).length > 0) config.retry = retry;
    if (options.sessionTimeoutMs !== undefined) config.sessionTimeout = options.sessionTimeoutMs;
    if (options.heartbeatIntervalMs !== undefined) config.heartbeatInterval = options.heartbeatIntervalMs;
    if (options.rebalanceTimeoutMs !== undefined) config.rebalanceTimeout = options.rebalanceTimeoutMs;
    if (options.maxWaitMs !== undefined) config.maxWaitTimeInMs = options.maxWaitMs;
    return new KafkaConsumer(this.kafka.consumer(config));
  }

  admin(): BusAdmin {
    return new KafkaAdmin(this.kafka.admin());
  }
}

/** The bus on Kafka; kafkajs's own logs go through `logger` (warnings and errors only: it is chatty). */
export function createKafkaBus(settings: KafkaSettings, logger: BusLogger): Bus {
  if (settings.brokers.length === 0) throw new Error('createKafkaBus: at least one broker is required');
  return new KafkaBus(
    new Kafka({
      clientId: settings.clientId,
      brokers: settings.brokers,
      connectionTimeout: settings.connectionTimeoutMs ?? 1000,
      requestTimeout: settings.requestTimeoutMs ?? 10000,
      logLevel: logLevel.WARN,
      retry: { initialRetryTime: 100, retries: 5, maxRetryTime: 2000 },
      logCreator: kafkajsLogCreator(logger),
    }),
  );
}
