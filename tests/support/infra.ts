import crypto from 'node:crypto';
import { Kafka, logLevel, type IHeaders } from 'kafkajs';

/** Helpers for test files that use the Kafka and Redis started by tests/support/global-setup.ts. */

const NOT_STARTED =
  'is not set: the shared Kafka and Redis are started by jest globalSetup (tests/support/global-setup.ts). ' +
  'Run the tests through jest, without GATEWAY_TEST_INFRA=none, or set KAFKA_BROKERS / REDIS_URL yourself.';

/** Bootstrap brokers of the shared Kafka. */
export function kafkaBrokers(): string[] {
  const brokers = (process.env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
  if (brokers.length === 0) throw new Error(`KAFKA_BROKERS ${NOT_STARTED}`);
  return brokers;
}

/** URL of the shared Redis. */
export function redisUrl(): string {
  const url = process.env.REDIS_URL?.trim();
  if (!url) throw new Error(`REDIS_URL ${NOT_STARTED}`);
  return url;
}

/** A name no other test (or run) uses, valid as a Kafka topic, group id or Redis key prefix. */
export function uniqueName(prefix: string): string {
  const safe = prefix.replace(/[^a-zA-Z0-9._-]/g, '-');
  return `test-${safe}-${Date.now().toString(36)}-${crypto.randomBytes(4).toString('hex')}`;
}

function kafkaClient(brokers: string[], clientId: string): Kafka {
  // kafkajs logs every retry at ERROR; tests assert on outcomes instead.
  return new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING });
}

/** Creates the topics (if missing) and waits until every partition has a leader. */
export async function createTopics(brokers: string[], topics: string[], partitions = 3): Promise<void> {
  const admin = kafkaClient(brokers, 'test-admin').admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: partitions })), waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

export interface ReadMessage {
  key: string | null;
  /** UTF-8 value; a tombstone (null value) reads as ''. */
  value: string;
  /** UTF-8 header values; for a repeated header, the last value. */
  headers: Record<string, string>;
  partition: number;
  offset: string;
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value !== undefined) decoded[name] = value.toString();
  }
  return decoded;
}

/**
 * Reads `topic` from the beginning with a fresh consumer group and resolves as soon as `expected`
 * messages have arrived (in arrival order: per partition that is offset order), or rejects after
 * `timeoutMs` saying how many arrived.
 */
export async function readAllMessages(
  brokers: string[],
  topic: string,
  options: { expected: number; timeoutMs?: number },
): Promise<ReadMessage[]> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const consumer = kafkaClient(brokers, 'test-reader').consumer({
    groupId: uniqueName('reader'),
    // Short fetch waits keep disconnect() quick.
    maxWaitTimeInMs: 250,
  });
  const messages: ReadMessage[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`readAllMessages(${topic}): ${messages.length} of ${options.expected} messages within ${timeoutMs} ms`)),
        timeoutMs,
      );
      // kafkajs restarts the consumer after a retriable crash; only a final one ends the read.
      consumer.on(consumer.events.CRASH, (event) => {
        if (!event.payload.restart) reject(event.payload.error);
      });
      if (options.expected <= 0) resolve();
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            if (messages.length >= options.expected) return;
            messages.push({
              key: message.key ? message.key.toString() : null,
              value: message.value ? message.value.toString() : '',
              headers: decodeHeaders(message.headers),
              partition,
              offset: message.offset,
            });
            if (messages.length >= options.expected) resolve();
          },
        })
        .catch(reject);
    });
    return [...messages];
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
  }
}

/**
 * Every record of every topic whose name starts with `prefix`, from the beginning to the end
 * offsets at the time of the call: for tests that must check what is stored anywhere, not only
 * on the topics they know about.
 */
export async function readEveryTopic(brokers: string[], prefix: string): Promise<Map<string, ReadMessage[]>> {
  const admin = kafkaClient(brokers, 'test-admin').admin();
  const counts = new Map<string, number>();
  await admin.connect();
  try {
    for (const topic of (await admin.listTopics()).filter((t) => t.startsWith(prefix))) {
      const offsets = await admin.fetchTopicOffsets(topic);
      counts.set(topic, offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0));
    }
  } finally {
    await admin.disconnect();
  }
  const all = new Map<string, ReadMessage[]>();
  for (const [topic, expected] of counts) all.set(topic, expected === 0 ? [] : await readAllMessages(brokers, topic, { expected }));
  return all;
}

/**
 * Polls `condition` until it returns a truthy value (returned) or `timeoutMs` passes (rejects with the
 * last error the condition threw, if any). Throwing counts as "not yet", e.g. a server still starting.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  options: { timeoutMs?: number; intervalMs?: number; message?: string } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`waitFor: ${options.message ?? 'condition'} not met within ${timeoutMs} ms${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
}
