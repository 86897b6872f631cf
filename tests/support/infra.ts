import crypto from 'node:crypto';
import { createKafkaBus, eachRecord, type Bus, type BusLogger } from '@gateway/bus';

/** Helpers for test files that use the Kafka and Redis started by tests/support/global-setup.ts. */

const NOT_STARTED =
  'is not set: the shared Kafka and Redis are started by jest globalSetup (tests/support/global-setup.ts). ' +
  'Run the tests through jest, without GATEWAY_TEST_INFRA=none, or set KAFKA_BROKERS / REDIS_URL yourself.';

/** Said in the unit tier, where the fix is to make the test a component test, not to start anything. */
export const NOT_IN_UNIT_TIER =
  'the unit tier (npm run test:unit) starts no Kafka or Redis: a test that needs one is a component test, named *.component.test.ts, which `npm test` runs';

function notStarted(name: string): Error {
  // GATEWAY_TEST_TIER=unit is set by tests/support/unit-tier.ts.
  return new Error(process.env.GATEWAY_TEST_TIER === 'unit' ? `${name} is not set: ${NOT_IN_UNIT_TIER}` : `${name} ${NOT_STARTED}`);
}

/** Bootstrap brokers of the shared Kafka. */
export function kafkaBrokers(): string[] {
  const brokers = (process.env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
  if (brokers.length === 0) throw notStarted('KAFKA_BROKERS');
  return brokers;
}

/** URL of the shared Redis. */
export function redisUrl(): string {
  const url = process.env.REDIS_URL?.trim();
  if (!url) throw notStarted('REDIS_URL');
  return url;
}

/** A name no other test (or run) uses, valid as a Kafka topic, group id or Redis key prefix. */
export function uniqueName(prefix: string): string {
  const safe = prefix.replace(/[^a-zA-Z0-9._-]/g, '-');
  return `test-${safe}-${Date.now().toString(36)}-${crypto.randomBytes(4).toString('hex')}`;
}

// The client logs every retry; tests assert on outcomes instead.
const silent: BusLogger = { child: () => silent, error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

/** The shared Kafka (or `brokers`) through the bus port, as the services see it. */
export function testBus(clientId = 'test', brokers: string[] = kafkaBrokers()): Bus {
  return createKafkaBus({ brokers, clientId }, silent);
}

/** Creates the topics (if missing) and waits until every partition has a leader. */
export async function createTopics(brokers: string[], topics: string[], partitions = 3): Promise<void> {
  const admin = testBus('test-admin', brokers).admin();
  await admin.connect();
  try {
    await admin.createTopics(topics.map((topic) => ({ topic, partitions })));
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
  const consumer = testBus('test-reader', brokers).consumer({
    groupId: uniqueName('reader'),
    // Short fetch waits keep disconnect() quick.
    maxWaitMs: 250,
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
      // The bus restarts the consumer after a retriable crash; only a final one ends the read.
      consumer.on('crashed', (event) => {
        if (!event.restart) reject(event.error);
      });
      if (options.expected <= 0) resolve();
      consumer
        .run({
          eachBatch: eachRecord(async (message) => {
            if (messages.length >= options.expected) return;
            messages.push({
              key: message.key,
              value: message.value ? message.value.toString() : '',
              headers: { ...message.headers },
              partition: message.partition,
              offset: message.offset,
            });
            if (messages.length >= options.expected) resolve();
          }),
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
  const admin = testBus('test-admin', brokers).admin();
  const counts = new Map<string, number>();
  await admin.connect();
  try {
    for (const topic of (await admin.listTopics()).filter((t) => t.startsWith(prefix))) {
      const offsets = await admin.topicOffsets(topic);
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
