import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { TOPICS, topicSpecs, withPrefix, type Channel, type MessageOf, type Topics } from '@gateway/contracts';
import { adoptLegacyGroupOffsets, BatchingPublisher, createKafkaBus, ensureTopics, type Bus, type OutgoingRecord } from '@gateway/bus';
import { closeOnce, superviseConsumer, type Logger, createRedisClient } from '@gateway/common';
import { createRedisLedger, createRedisSubjectVersions, type DeliveryLedger, type OnUnreadable, type SubjectVersionReader, type WorkerLedgerOptions } from '@gateway/delivery-ledger';
import type { ChannelSender } from './domain/ports';
import { DelayQueue, type Delays } from './data-access/delay-queue';
import { workerKeys, type WorkerKeys } from './data-access/keys';
import { rateLimited, RedisRateLimiter, type RateLimiter } from './data-access/rate-limiter';
import { createBatchHandler } from './entry-points/batch-handler';
import { RetryMover } from './entry-points/retry-mover';
import { deliver, type Outcome } from './app/deliver';
import type { WorkerSettings } from './settings';

export type WorkerCounters = Record<Outcome, number> & { moved: number };

export interface ChannelWorkerOptions<C extends Channel> {
  channel: C;
  sender: ChannelSender<MessageOf<C>>;
  settings: WorkerSettings;
  logger: Logger;
  /** Defaults to the settings' TOPIC_PREFIX (or the standard names). */
  topics?: Topics;
  /** A Redis client to share (not closed by stop); otherwise one is made from the settings. Unused when `stores` are given. */
  redis?: Redis;
  /** A bus to use instead of connecting to the settings' Kafka (the embedded mode's in-process one). */
  bus?: Bus;
  /** Stores to use instead of Redis ones (the embedded mode's in-memory ones); Redis is then not connected. */
  stores?: WorkerStores;
  /**
   * Keep a copy of every message these providers accept, this long, for providers that report
   * delivery later: a message its carrier reports undelivered can then be corrected and resent.
   */
  keepSentCopy?: { ttlMs: number; providers: readonly string[] };
}

/** What a channel worker keeps: its port on the delivery ledger, its delayed retries and the rate limits. */
export interface WorkerStores {
  /** This worker's own port (`SharedLedger.forWorker`): the owner and lease of its claims are its own. */
  ledger: DeliveryLedger;
  /** The renderer's record of each meeting's and document's latest version: stale messages are superseded. */
  versions: SubjectVersionReader;
  delay: Delays;
  limiter: RateLimiter;
}

/** How a worker claims on the ledger: the settings' lease and waits, and an owner unique to this replica. */
export function workerLedgerOptions(settings: WorkerSettings): WorkerLedgerOptions {
  return { ...settings.claim, owner: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`, failedRecordTtlMs: settings.failedRecordTtlMs };
}

/** The stores of a channel worker on Redis, under the settings' key prefix. */
export function redisWorkerStores(redis: Redis, settings: WorkerSettings, ledgerOptions: WorkerLedgerOptions, logger: Logger): WorkerStores {
  const keys = workerKeys(settings.redis.keyPrefix, settings.channel);
  const onUnreadable: OnUnreadable = (problem) => logger.warn(problem, 'a failed record no longer parses; skipped');
  return {
    ledger: createRedisLedger(redis, { prefix: settings.redis.keyPrefix, onUnreadable }).forWorker(ledgerOptions),
    versions: createRedisSubjectVersions(redis, { prefix: settings.redis.keyPrefix }),
    delay: new DelayQueue(redis, keys),
    limiter: new RedisRateLimiter(redis, keys.rate),
  };
}

export interface RunningChannelWorker {
  readonly channel: Channel;
  readonly topics: Topics;
  readonly groupId: string;
  /** Resolves when this replica first joined its group and got its partitions. */
  readonly joined: Promise<void>;
  /** In its group and not crashed since: what the worker's readiness reports. */
  consuming(): boolean;
  /** Resolves when the consumer stopped for good (the process must be restarted). */
  readonly failed: Promise<Error>;
  /** What this replica did so far. */
  counters(): WorkerCounters;
  readonly keys: WorkerKeys;
  /** This worker's port on the delivery ledger (a provider's late "undelivered" goes through it). */
  readonly ledger: DeliveryLedger;
  /** Publishes a record (e.g. a status from a provider callback) with the worker's durable producer; resolves when acknowledged. */
  publish(record: OutgoingRecord): Promise<void>;
  /** Stop fetching, finish what is in flight, flush, close; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Composition of one channel worker replica: a consumer of the channel topic and its retry topic
 * (one group per channel), the delivery pipeline with claims, retries, dead letters and statuses,
 * and the retry mover. Every dependency comes from the arguments; nothing reads the environment.
 */
export async function startChannelWorker<C extends Channel>(options: ChannelWorkerOptions<C>): Promise<RunningChannelWorker> {
  const { channel, settings } = options;
  if (settings.channel !== channel) throw new Error(`startChannelWorker: settings are for ${settings.channel}, not ${channel}`);
  const logger = options.logger.child({ component: `worker-${channel}` });
  const topics = options.topics ?? (settings.kafka.topicPrefix ? withPrefix(settings.kafka.topicPrefix) : TOPICS);
  const keys = workerKeys(settings.redis.keyPrefix, channel);

  const ownRedis = !options.stores && !options.redis;
  let redis: Redis | undefined, owner: string | undefined, stores: WorkerStores;
  if (options.stores) {
    stores = options.stores;
  } else {
    redis = options.redis ?? createRedisClient(settings.redis.url, logger, { maxRetriesPerRequest: 3 });
    const ledgerOptions = workerLedgerOptions(settings);
    owner = ledgerOptions.owner;
    stores = redisWorkerStores(redis, settings, ledgerOptions, logger);
  }
  const { ledger, versions, delay, limiter } = stores;
  const sender: ChannelSender<MessageOf<C>> = settings.rateLimit ? rateLimited(options.sender, limiter, settings.rateLimit, `${channel}:${options.sender.name}`) : options.sender;

  const kafka: Bus = options.bus ?? createKafkaBus({ brokers: settings.kafka.brokers, clientId: settings.kafka.clientId }, logger);
  const cleanups: Array<[string, () => Promise<unknown> | unknown]> = [];
  const stopping = { aborted: false };
  const counters: WorkerCounters = { sent: 0, duplicate: 0, retrying: 0, deferred: 0, failed: 0, dead: 0, superseded: 0, invalid: 0, moved: 0 };

  try {
    if (settings.kafka.createTopics) {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const created = await ensureTopics(admin, topicSpecs(settings.kafka.partitions, topics).filter((s) => [topics[channel], topics.retry[channel], topics.status, topics.deadLetter].includes(s.topic)));
        if (created.length) logger.info({ topics: created }, 'created topics');
      } finally {
        await admin.disconnect();
      }
    }
    const producer = kafka.publisher({ idempotent: true });
    await producer.connect();
    cleanups.push(['disconnect producer', () => producer.disconnect()]);
    // Statuses trickle in one per message step: a 5 ms linger batches them (a commit waits for them).
    const publisher = new BatchingPublisher(producer, { maxBatch: 1000, ackTimeoutMs: 30_000, lingerMs: 5 });

    const mover = new RetryMover({
      delay,
      producer,
      retryTopic: topics.retry[channel],
      logger,
      ...settings.mover,
      onMoved: (n) => (counters.moved += n),
    });

    const { consumer, health } = superviseConsumer(
      kafka,
      {
        groupId: settings.kafka.groupId,
        sessionTimeoutMs: settings.kafka.sessionTimeoutMs,
        heartbeatIntervalMs: settings.kafka.heartbeatIntervalMs,
        rebalanceTimeoutMs: Math.max(60_000, settings.kafka.sessionTimeoutMs),
        maxWaitMs: 500,
      },
      { name: `${channel} consumer`, logger },
    );
    consumer.on('joined', (e) => logger.info({ memberId: e.memberId, assignment: e.assignment }, 'joined the consumer group'));
    await consumer.connect();
    cleanups.unshift(['stop consumer (finishes in-flight messages, commits)', () => consumer.disconnect()]);
    const consumed = [topics[channel], topics.retry[channel]];
    await adoptLegacyGroupOffsets(kafka, { groupId: settings.kafka.groupId, legacyGroupId: settings.kafka.legacyGroupId, topics: consumed, logger });
    await consumer.subscribe({ topics: consumed, fromBeginning: true });

    const handle = createBatchHandler({
      concurrency: settings.concurrency,
      logger,
      publish: (out) => publisher.publish(out),
      onSettled: (outcome) => (counters[outcome] += 1),
      handle: (record, publish) =>
        deliver(record, {
          channel,
          sender: sender as ChannelSender,
          ledger,
          versions,
          delay,
          policy: settings.retry,
          topics,
          service: settings.service,
          sendTimeoutMs: settings.sendTimeoutMs,
          leaseMs: settings.claim.leaseMs,
          busyRetryMs: Math.min(settings.claim.leaseMs, 30_000),
          logger,
          publish,
          onScheduled: (dueAt) => mover.notify(dueAt),
          stopping,
          keepSentCopy: options.keepSentCopy,
        }),
    });
    await consumer.run({ partitionsConcurrently: settings.partitionsConcurrently, eachBatch: handle });
    mover.start();

    // After the consumer (its in-flight batches publish and commit first), before the producer.
    cleanups.splice(1, 0, ['stop retry mover', () => mover.stop()], ['flush statuses', () => publisher.flush()]);
    cleanups.push(['close sender', () => options.sender.close?.()]);
    if (ownRedis && redis) cleanups.push(['close redis', () => redis.quit().catch(() => redis.disconnect())]);

    logger.info({ topics: [topics[channel], topics.retry[channel]], groupId: settings.kafka.groupId, ...(owner ? { owner } : {}), sender: options.sender.name }, 'channel worker started');

    const close = closeOnce(
      [['stop new claims', () => (stopping.aborted = true)], ...cleanups],
      { timeoutMs: settings.shutdownTimeoutMs, onError: (step, err) => logger.error({ step, err: (err as Error).message }, 'shutdown step failed') },
    );
    return {
      channel,
      topics,
      groupId: settings.kafka.groupId,
      joined: health.joined,
      consuming: health.consuming,
      failed: health.failed,
      keys,
      ledger,
      counters: () => ({ ...counters }),
      publish: (record) => publisher.publish(record),
      stop: close,
    };
  } catch (err) {
    // A half-started worker must not leave connections behind.
    for (const [, step] of cleanups) await Promise.resolve().then(step).catch(() => undefined);
    if (ownRedis) redis?.disconnect();
    throw err;
  }
}
