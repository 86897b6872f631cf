import cluster from 'node:cluster';
import { BatchingPublisher, createKafkaBus, ensureTopics, type Bus } from '@gateway/bus';
import { closeOnce, ConfigError, KeysFileError, watchKeyRing, createLogger, withTimeout, type Logger, probe, listenHttp, createRedisClient, busCheck, storeCheck } from '@gateway/common';
import { createEventAcceptor } from './app/accept-event';
import { createRedisIdempotencyStore } from './data-access/redis-idempotency';
import { createMemoryIdempotencyStore } from './data-access/memory-idempotency';
import type { IdempotencyStore } from './domain/idempotency';
import { createKafkaEventSink } from './adapters/kafka-sink';
import { createIntakeHandler, type ReadinessReport } from './entry-points/http';
import { createIntakeMetrics } from './adapters/metrics';
import { loadIntakeSettings, type IntakeSettings } from './settings';

export interface RunningIntake {
  url: string;
  port: number;
  stop: () => Promise<void>;
}

/** What the intake keeps: the idempotency keys of accepted events. */
export interface IntakeStores {
  idempotency: IdempotencyStore;
  ping: () => Promise<boolean>;
  close: () => Promise<unknown>;
}

/** How long an idempotency key is kept, and how long a pending one holds before another may try. */
function idempotencyRetention(settings: Pick<IntakeSettings, 'idempotency'>): { retentionMs: number; pendingMs: number } {
  return { retentionMs: settings.idempotency.ttlSeconds * 1000, pendingMs: 60_000 };
}

async function redisStores(settings: IntakeSettings, logger: Logger): Promise<IntakeStores> {
  const redis = createRedisClient(settings.redis.url, logger, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
  await redis.connect().catch((err: Error) => logger.warn({ err: err.message }, 'redis not reachable yet; retrying in the background'));
  return {
    idempotency: createRedisIdempotencyStore(redis, { prefix: settings.redis.keyPrefix, ...idempotencyRetention(settings) }),
    ping: () => probe(() => redis.ping(), 1000),
    close: () => redis.quit().catch(() => redis.disconnect()),
  };
}

/** In-process stores (embedded mode), with the settings' retention. */
export function createMemoryIntakeStores(settings: Pick<IntakeSettings, 'idempotency'>): IntakeStores {
  return { idempotency: createMemoryIdempotencyStore(idempotencyRetention(settings)), ping: async () => true, close: async () => undefined };
}

export interface IntakeDeps {
  logger?: Logger;
  /** A bus to use instead of connecting to KAFKA_BROKERS (the embedded mode's in-process one; readyz then names it `memory`). */
  bus?: Bus;
  /** Stores to use instead of Redis ones (embedded mode: createMemoryIntakeStores()); Redis is then not connected. */
  stores?: IntakeStores;
}

/**
 * Composition root of the intake service: builds every client and adapter from validated
 * settings. Starts even when Kafka is down (readyz says so, events get 503) and connects as soon
 * as the broker answers.
 */
export async function startIntake(settings: IntakeSettings, options: IntakeDeps = {}): Promise<RunningIntake> {
  const logger = options.logger ?? createLogger({ name: 'intake', level: settings.logLevel });
  const keys = watchKeyRing(settings.keysFile, logger);
  const unbound = keys.current().unbound;
  if (unbound.length > 0) {
    logger.warn({ keys: unbound }, 'these keys have no "sources" in the keys file and may send events of any source; bind each to its own with: npm run gateway -- keys sources <name> --sources <source>');
  }
  const metrics = createIntakeMetrics();
  const store = options.stores ?? (await redisStores(settings, logger));

  const kafka: Bus = options.bus ?? createKafkaBus({ brokers: settings.kafka.brokers, clientId: settings.kafka.clientId }, logger);
  const producer = kafka.publisher({ idempotent: true });
  const admin = kafka.admin();
  const publisher = new BatchingPublisher(producer, { maxBatch: settings.publish.maxBatch, ackTimeoutMs: settings.publish.timeoutMs });

  let stopping = false;
  let kafkaConnected = false;
  const connectKafka = async () => {
    for (let delay = 250; !stopping; delay = Math.min(delay * 2, 5000)) {
      try {
        await admin.connect();
        if (settings.kafka.createTopics) {
          const created = await ensureTopics(admin, [{ topic: settings.topics.events, numPartitions: settings.kafka.partitions }]);
          if (created.length) logger.info({ topics: created }, 'created topics');
        }
        await producer.connect();
        kafkaConnected = true;
        logger.info({ brokers: settings.kafka.brokers }, 'connected to Kafka');
        return;
      } catch (err) {
        logger.warn({ err: (err as Error).message, retryInMs: delay }, 'Kafka not reachable yet');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  };
  const kafkaReady = connectKafka();

  const kafkaSink = createKafkaEventSink(publisher, settings.topics.events);
  const accept = createEventAcceptor({
    // Until the first connection, a publish waits for it (bounded), instead of failing at once
    // right after start or queueing without limit while the broker is away.
    sink: {
      async publish(event, meta) {
        if (!kafkaConnected) await withTimeout(kafkaReady, settings.publish.timeoutMs, () => new Error('not connected to Kafka yet'));
        if (!kafkaConnected) throw new Error('intake is stopping');
        return kafkaSink.publish(event, meta);
      },
    },
    idempotency: store.idempotency,
    publishTimeoutMs: settings.publish.timeoutMs,
    onPublishSettled: (eventId, err) => {
      if (err) logger.warn({ eventId, err: (err as Error).message }, 'publish failed');
      else logger.info({ eventId }, 'event stored');
    },
  });

  let lastReadiness: { at: number; report: Promise<ReadinessReport> } | undefined;
  const readiness = () => {
    // Probes are cached for a second so a busy load balancer cannot load the broker.
    if (!lastReadiness || Date.now() - lastReadiness.at > 1000) {
      const check = async (): Promise<ReadinessReport> => {
        const [kafkaUp, redisUp] = await Promise.all([kafkaConnected && probe(() => admin.describeCluster(), 1500), store.ping()]);
        return { bus: busCheck(Boolean(options.bus), kafkaUp), store: storeCheck(Boolean(options.stores), redisUp) };
      };
      lastReadiness = { at: Date.now(), report: check() };
    }
    return lastReadiness.report;
  };

  const app = createIntakeHandler({ accept, keys: keys.current, metrics, readiness, logger, bodyLimitBytes: settings.http.bodyLimitBytes });
  const http = await listenHttp(app, settings.http.host, settings.http.port);
  // Longer than the usual load balancer idle timeout (60 s), so the balancer closes first.
  http.server.keepAliveTimeout = 65_000;
  const { url, port } = http;
  logger.info({ url, keys: keys.current().size, topic: settings.topics.events }, 'intake listening');

  const stop = closeOnce(
    [
      ['stop accepting', () => {
        stopping = true;
        return http.close();
      }],
      ['flush producer', () => publisher.flush()],
      ['disconnect producer', () => producer.disconnect()],
      ['disconnect admin', () => admin.disconnect()],
      ['wait for kafka connect loop', () => kafkaReady],
      ['close store', () => store.close()],
      ['stop watching keys', () => keys.close()],
    ],
    { timeoutMs: settings.shutdownTimeoutMs, onError: (step, err) => logger.error({ step, err: (err as Error).message }, 'shutdown step failed') },
  );
  return { url, port, stop };
}

async function main(): Promise<void> {
  let settings: IntakeSettings;
  try {
    settings = loadIntakeSettings(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  if (settings.workers > 1 && cluster.isPrimary) {
    // The primary only supervises: a worker that dies is replaced, SIGTERM is passed on.
    let stopping = false;
    for (let i = 0; i < settings.workers; i++) cluster.fork();
    cluster.on('exit', (worker, code) => {
      if (!stopping) {
        console.error(`intake: worker ${worker.process.pid} exited (${code}); starting another`);
        cluster.fork();
      }
    });
    const shutdown = () => {
      stopping = true;
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
      cluster.on('exit', () => {
        if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      });
    };
    process.once('SIGTERM', shutdown);
    process.once('SIGINT', shutdown);
    return;
  }
  try {
    const intake = await startIntake(settings);
    const shutdown = (signal: string) => {
      console.error(`intake: ${signal} received, shutting down`);
      intake.stop().then(() => process.exit(0));
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  } catch (err) {
    if (err instanceof KeysFileError) {
      console.error(`intake: refusing to start: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
}

if (require.main === module) void main();
