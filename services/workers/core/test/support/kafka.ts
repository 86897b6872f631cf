import { Kafka, logLevel } from '@gateway/kafkajs';
import { createKafkaBus, eachRecord, type Bus, type BusPublisher } from '@gateway/bus';
import { createLogger } from '@gateway/common';
import type { ChannelMessageInput, DeadLetter, DeliveryStatus } from '@gateway/contracts';
import { kafkaBrokers, redisUrl, uniqueName, waitFor } from '@gateway/tests/support/infra';

/** Test helpers shared by the worker core and channel worker tests. */

/**
 * The settings every worker test bed starts from: the test's broker and Redis, its own topic and
 * key prefix, topics made by the test, short group timeouts, quiet logs. Add the rest in `extra`.
 */
export function workerTestEnv(prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    KAFKA_BROKERS: kafkaBrokers().join(','),
    REDIS_URL: redisUrl(),
    REDIS_KEY_PREFIX: `${prefix}:`,
    TOPIC_PREFIX: prefix,
    KAFKA_CREATE_TOPICS: 'false',
    KAFKA_SESSION_TIMEOUT_MS: '10000',
    KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

/** The test's broker through the bus port, as the services see it. */
export function testKafka(clientId = 'worker-test'): Bus {
  return createKafkaBus({ brokers: kafkaBrokers(), clientId }, createLogger({ name: clientId, level: 'silent' }));
}

/**
 * Creates the topics and waits until every partition has a leader. Retries what a KRaft broker
 * answers while it is still settling ("does not host this topic-partition" right after a create),
 * which would otherwise fail a test on a loaded machine for a reason unrelated to it.
 */
export async function createTestTopics(topics: string[], partitions: number, bus?: Bus): Promise<void> {
  if (bus) {
    // Another bus (the embedded one): no broker to settle.
    const busAdmin = bus.admin();
    await busAdmin.createTopics(topics.map((topic) => ({ topic, partitions })));
    return;
  }
  // kafkajs itself: the topic metadata the wait below reads is no part of the bus port.
  const admin = new Kafka({ clientId: 'worker-test-admin', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: partitions })), waitForLeaders: true, timeout: 15_000 });
        break;
      } catch (err) {
        const retriable = (err as { retriable?: boolean }).retriable === true || /does not host|leader|already exists/i.test((err as Error).message);
        if (!retriable || attempt >= 8) throw err;
        await new Promise((r) => setTimeout(r, 250 * attempt));
      }
    }
    await waitFor(
      async () => {
        const { topics: found } = await admin.fetchTopicMetadata({ topics });
        return found.length === topics.length && found.every((t) => t.partitions.length === partitions && t.partitions.every((p) => p.leader >= 0));
      },
      { timeoutMs: 30_000, intervalMs: 200, message: `leaders for ${topics.join(', ')}` },
    );
  } finally {
    await admin.disconnect();
  }
}

export async function connectedProducer(bus: Bus = testKafka('worker-test-producer')): Promise<BusPublisher> {
  const producer = bus.publisher();
  await producer.connect();
  return producer;
}

export interface Collected {
  key: string | null;
  value: string;
  headers: Record<string, string>;
  partition: number;
  offset: string;
}

/**
 * Reads a topic from the beginning, for as long as the test runs, into an array a test polls with
 * waitFor. Unlike readAllMessages it does not stop at a count, so "nothing more arrived" can be checked too.
 */
export async function collectTopic(topic: string, bus: Bus = testKafka('worker-test-collector')): Promise<{ records: Collected[]; json<T>(): T[]; stop: () => Promise<void> }> {
  const consumer = bus.consumer({ groupId: uniqueName('collector'), maxWaitMs: 200 });
  const records: Collected[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachBatch: eachRecord(async (message) => {
      records.push({ key: message.key, value: message.value?.toString() ?? '', headers: { ...message.headers }, partition: message.partition, offset: message.offset });
    }),
  });
  return {
    records,
    json: <T>() => records.map((r) => JSON.parse(r.value) as T),
    stop: () => consumer.disconnect().catch(() => undefined),
  };
}

export function statusesOf(records: Collected[], messageId?: string): DeliveryStatus[] {
  return records.map((r) => JSON.parse(r.value) as DeliveryStatus).filter((s) => messageId === undefined || s.messageId === messageId);
}

export function deadLettersOf(records: Collected[]): DeadLetter[] {
  return records.map((r) => JSON.parse(r.value) as DeadLetter);
}

// Shared with the packages' tests (the delivery ledger's): one fixture for every test of an SMS.
export { smsMessage } from '@gateway/tests/support/messages';

/** Produces messages keyed by recipient id (as the renderer does), in chunks, acks=all. */
export async function produceMessages(producer: BusPublisher, topic: string, messages: ChannelMessageInput[], keyOf: (m: ChannelMessageInput, i: number) => string = (m) => m.recipient.id): Promise<void> {
  for (let i = 0; i < messages.length; i += 500) {
    const chunk = messages.slice(i, i + 500);
    await producer.publish(chunk.map((m, j) => ({ topic, key: keyOf(m, i + j), value: JSON.stringify(m), headers: { 'message-id': m.id, 'event-id': m.eventId, 'correlation-id': m.correlationId } })));
  }
}
