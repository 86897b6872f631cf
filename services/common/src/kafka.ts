import { CompressionTypes, Kafka, logLevel, Partitioners, type Message, type ITopicConfig, type LogEntry } from 'kafkajs';
import type { BusAdmin, BusClient, BusProducer } from './bus/port';
import type { TopicSpec } from '@gateway/contracts';
import type { Logger } from './log';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** Time to open a TCP connection to a broker. */
  connectionTimeoutMs?: number;
  /** Time a broker has to answer one request. */
  requestTimeoutMs?: number;
}

// kafkajs logs every retried request at ERROR (e.g. "coordinator is loading" while a broker
// starts); what is really an error reaches the caller as a rejected promise, so these are warnings.
const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'warn',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** A kafkajs client whose own logs go through our logger (warnings and errors only: it is chatty). */
export function createKafka(settings: KafkaSettings, logger: Logger): Kafka {
  if (settings.brokers.length === 0) throw new Error('createKafka: at least one broker is required');
  const log = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    connectionTimeout: settings.connectionTimeoutMs ?? 1000,
    requestTimeout: settings.requestTimeoutMs ?? 10000,
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 100, retries: 5, maxRetryTime: 2000 },
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        // Our producers limit retries on purpose (a request must fail within its timeout so the
        // caller can answer 503); downstream deduplication by event id covers the rare duplicate.
        if (message.startsWith('Limiting retries for the idempotent producer')) return;
        log[LEVELS[level] ?? 'info']({ kafka: rest }, message);
      },
  });
}

/**
 * Creates the topics that do not exist yet and waits for their leaders, so no consumer ever
 * subscribes to a topic the broker does not host yet (a known KRaft pitfall with kafkajs).
 */
export async function ensureTopics(admin: BusAdmin, specs: TopicSpec[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.topic));
  if (missing.length === 0) return [];
  const topics: ITopicConfig[] = missing.map((s) => ({
    topic: s.topic,
    numPartitions: s.numPartitions,
    replicationFactor: -1,
    configEntries: s.configs ?? [],
  }));
  try {
    await admin.createTopics({ topics, waitForLeaders: true });
  } catch (err) {
    // Another replica may have created them between listTopics and createTopics.
    if (!(err instanceof Error && /already exists/i.test(err.message))) throw err;
  }
  return missing.map((s) => s.topic);
}

/**
 * A producer for one event's fan-out: several requests in flight at once. Not idempotent (that
 * needs one request in flight); a retried request may write a record twice, which the
 * deterministic message ids downstream make harmless.
 */
/**
 * The upgrade step for consumer group ids that gained the group prefix (consumerGroupId): before
 * a consumer first joins `groupId`, it takes over the offsets that its old, unprefixed group id
 * (`legacyGroupId`) committed for its own topics. Without it a prefixed deployment would come back
 * under a group with no offsets and, subscribed `fromBeginning`, process the whole retention of
 * its topics again. The old group's offsets on these (prefixed) topics are this deployment's
 * own: another environment shares the old group id, never the topics. Nothing happens once the
 * new group has committed anything, so it runs at every start and acts once. Returns the
 * partitions taken over.
 */
export async function adoptLegacyGroupOffsets(
  bus: BusClient,
  options: { groupId: string; legacyGroupId: string | undefined; topics: string[]; logger: Logger },
): Promise<number> {
  const { groupId, legacyGroupId, topics, logger } = options;
  if (!legacyGroupId || legacyGroupId === groupId || topics.length === 0) return 0;
  const admin = bus.admin();
  await admin.connect();
  try {
    const committed = (answer: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>) =>
      answer.map(({ topic, partitions }) => ({ topic, partitions: partitions.filter((p) => Number(p.offset) >= 0).map(({ partition, offset }) => ({ partition, offset })) }));
    if (committed(await admin.fetchOffsets({ groupId, topics })).some((t) => t.partitions.length > 0)) return 0;
    let adopted = 0;
    for (const { topic, partitions } of committed(await admin.fetchOffsets({ groupId: legacyGroupId, topics }))) {
      if (partitions.length === 0) continue;
      await admin.setOffsets({ groupId, topic, partitions });
      adopted += partitions.length;
    }
    if (adopted > 0) logger.info({ groupId, legacyGroupId, partitions: adopted }, 'consumer group takes over the offsets its unprefixed group id committed (upgrade to prefixed group ids)');
    return adopted;
  } catch (err) {
    // Another replica of the same version may have joined first (a group with members refuses new
    // offsets); it took them over already, so this one just joins.
    logger.warn({ groupId, legacyGroupId, err: err instanceof Error ? err.message : String(err) }, 'could not take over the old group id\'s offsets; joining as it is');
    return 0;
  } finally {
    await admin.disconnect();
  }
}

export function createFanoutProducer(kafka: BusClient): BusProducer {
  return kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { initialRetryTime: 100, retries: 5, maxRetryTime: 2000 },
  });
}

/** An idempotent producer that waits for every in-sync replica: what "stored" means here. */
export function createDurableProducer(kafka: BusClient): BusProducer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { initialRetryTime: 100, retries: 3, maxRetryTime: 1000 },
  });
}

export interface OutgoingMessage {
  topic: string;
  key: string;
  value: string;
  headers?: Record<string, string>;
}

interface Pending {
  message: OutgoingMessage;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Groups concurrent publishes into one produce request: while one request is in flight, new
 * messages queue and leave together in the next one. At low load a message leaves at once; under
 * load a batch forms by itself. Each caller's promise settles only when the broker acknowledged
 * (or refused) its own message. One request at a time keeps per-key order.
 */
export class BatchingPublisher {
  private queue: Pending[] = [];
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly producer: BusProducer,
    private readonly options: {
      maxBatch: number;
      ackTimeoutMs: number;
      /**
       * Waits this long for more messages before a request that is not full (0: none). A few
       * milliseconds turn a request per status into one per few hundred when they trickle in,
       * which is most of a channel worker's Kafka cost.
       */
      lingerMs?: number;
    },
  ) {}

  publish(message: OutgoingMessage): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ message, resolve, reject });
      if (!this.inFlight) this.inFlight = this.drain();
    });
  }

  /** Resolves when everything queued so far has settled. */
  async flush(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const linger = this.options.lingerMs ?? 0;
      if (linger > 0 && this.queue.length < this.options.maxBatch) await new Promise((resolve) => setTimeout(resolve, linger));
      const batch = this.queue.splice(0, this.options.maxBatch);
      const byTopic = new Map<string, Message[]>();
      for (const { message } of batch) {
        const list = byTopic.get(message.topic) ?? [];
        list.push({ key: message.key, value: message.value, headers: message.headers });
        byTopic.set(message.topic, list);
      }
      try {
        await this.producer.sendBatch({
          acks: -1,
          timeout: this.options.ackTimeoutMs,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
        for (const p of batch) p.resolve();
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    this.inFlight = undefined;
  }
}

/**
 * Sends many records as a few produce requests, each under `maxBytes` (every partition's record
 * batch must stay under the broker's message.max.bytes, 1 MiB by default; with keys spread over
 * the partitions a request can carry several MiB), waiting for every in-sync replica. Up to
 * `concurrency` requests are in flight at once: use it only where the order between the records
 * of one call does not matter (one event's fan-out: one record per recipient and channel).
 * `between` runs after each request (e.g. a consumer heartbeat during a long fan-out).
 */
export async function sendChunked(
  producer: BusProducer,
  records: ReadonlyArray<Omit<OutgoingMessage, 'value'> & { value: string | Buffer }>,
  options: { maxBytes?: number; timeoutMs?: number; concurrency?: number; gzip?: boolean; between?: () => Promise<void> } = {},
): Promise<void> {
  const maxBytes = options.maxBytes ?? 768 * 1024;
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const chunks: Array<Map<string, Message[]>> = [];
  let chunk = new Map<string, Message[]>();
  let bytes = 0;
  for (const r of records) {
    const size = (typeof r.value === 'string' ? Buffer.byteLength(r.value) : r.value.length) + r.key.length + 64;
    if (bytes + size > maxBytes && chunk.size > 0) {
      chunks.push(chunk);
      chunk = new Map();
      bytes = 0;
    }
    const list = chunk.get(r.topic) ?? [];
    list.push({ key: r.key, value: r.value, headers: r.headers });
    chunk.set(r.topic, list);
    bytes += size;
  }
  if (chunk.size > 0) chunks.push(chunk);
  let next = 0;
  const lane = async () => {
    while (next < chunks.length) {
      const current = chunks[next++] as Map<string, Message[]>;
      await producer.sendBatch({
        acks: -1,
        timeout: options.timeoutMs ?? 30000,
        ...(options.gzip ? { compression: CompressionTypes.GZIP } : {}),
        topicMessages: [...current].map(([topic, messages]) => ({ topic, messages })),
      });
      await options.between?.();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, chunks.length) }, lane));
}
