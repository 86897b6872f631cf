import express from 'express';
import { TOPICS, topicSpecs, withPrefix, type Topics } from '@gateway/contracts';
import { adoptLegacyGroupOffsets, createKafkaBus, ensureTopics, type Bus } from '@gateway/bus';
import { closeOnce, createLogger, allReady, busCheck, storeCheck, healthRoutes, noRoute, superviseConsumer, watchKeyRing, type Embedded, type Logger, runMain, probe, listenHttp, createRedisClient } from '@gateway/common';
import { createTemplateEngine } from './domain';
import { loadTemplates, createRenderer } from './render';
import { createDirectoryRouter, createMemoryDirectoryStore, createRedisDirectoryStore, type DirectoryStore } from './directory';
import { createMemorySequenceStore, createRedisSequenceStore, type SequenceStore } from './pipeline/sequence-store';
import { runEventsConsumer } from './entry-points/events-consumer';
import { loadRendererSettings, type RendererSettings } from './config';

export interface RunningRenderer {
  url: string;
  topics: Topics;
  stop: () => Promise<void>;
  /** Resolves when the events consumer stopped for good (the process must be restarted). */
  failed: Promise<Error>;
}

/**
 * Composition root of the templating service: the events consumer (events topic → channel
 * topics) and the directory API. Templates are compiled once here; a broken template stops the
 * start with the file named.
 */
interface RendererStores {
  directory: DirectoryStore;
  sequences: SequenceStore;
  ping: () => Promise<boolean>;
  close: () => Promise<unknown>;
}

function redisStores(settings: RendererSettings, logger: Logger): RendererStores {
  const redis = createRedisClient(settings.REDIS_URL, logger, { maxRetriesPerRequest: 2 });
  return {
    directory: createRedisDirectoryStore(redis, { prefix: `${settings.REDIS_KEY_PREFIX}dir:` }),
    sequences: createRedisSequenceStore(redis, { prefix: settings.REDIS_KEY_PREFIX }),
    ping: () => probe(() => redis.ping(), 1000),
    close: () => redis.quit().catch(() => redis.disconnect()),
  };
}

function memoryStores(embedded: Embedded): RendererStores {
  return {
    directory: embedded.stores.get('directory', createMemoryDirectoryStore),
    sequences: embedded.stores.get('renderer:sequences', createMemorySequenceStore),
    ping: async () => true,
    close: async () => undefined,
  };
}

/** The directory the renderer uses, for other services of the same embedded process (contact corrections). */
export function embeddedDirectory(embedded: Embedded): DirectoryStore {
  return embedded.stores.get('directory', createMemoryDirectoryStore);
}

export async function startRenderer(settings: RendererSettings, options: { logger?: Logger; embedded?: Embedded } = {}): Promise<RunningRenderer> {
  const logger = options.logger ?? createLogger({ name: 'renderer', level: settings.LOG_LEVEL });
  const topics = settings.TOPIC_PREFIX ? withPrefix(settings.TOPIC_PREFIX) : TOPICS;
  const renderer = createRenderer({
    templates: loadTemplates(settings.TEMPLATES_DIR, createTemplateEngine()),
    agency: { name: settings.AGENCY_NAME, emailFrom: settings.AGENCY_EMAIL_FROM, calendarDomain: settings.CALENDAR_DOMAIN },
  });
  const keys = watchKeyRing(settings.GATEWAY_KEYS_FILE, logger);

  const stores = options.embedded ? memoryStores(options.embedded) : redisStores(settings, logger);
  const { directory, sequences } = stores;

  const kafka: Bus = options.embedded?.bus ?? createKafkaBus({ brokers: settings.KAFKA_BROKERS, clientId: settings.KAFKA_CLIENT_ID }, logger);
  const admin = kafka.admin();
  await admin.connect();
  if (settings.KAFKA_CREATE_TOPICS) {
    const created = await ensureTopics(admin, topicSpecs(settings.TOPIC_PARTITIONS, topics));
    if (created.length) logger.info({ topics: created }, 'created topics');
  }
  const producer = kafka.publisher();
  await producer.connect();
  await adoptLegacyGroupOffsets(kafka, { groupId: settings.RENDERER_GROUP_ID, legacyGroupId: settings.legacyGroupId, topics: [topics.events], logger });
  const { consumer, health } = superviseConsumer(kafka, { groupId: settings.RENDERER_GROUP_ID, sessionTimeoutMs: 30000, heartbeatIntervalMs: 3000 }, { name: 'events consumer', logger });
  await consumer.connect();
  await runEventsConsumer({
    consumer,
    producer,
    topics,
    logger,
    service: 'renderer',
    processor: { directory, sequences, renderer },
    partitionsConsumedConcurrently: settings.RENDERER_CONCURRENCY,
    gzip: settings.RENDERER_COMPRESSION === 'gzip',
  });

  const app = express();
  app.disable('x-powered-by');
  healthRoutes(app, async () => {
    const [kafkaUp, redisUp] = await Promise.all([probe(() => admin.describeCluster(), 1500), stores.ping()]);
    return allReady({ bus: busCheck(Boolean(options.embedded), kafkaUp), store: storeCheck(Boolean(options.embedded), redisUp), consuming: health.consuming() });
  });
  app.use('/v1/directory', createDirectoryRouter({ store: directory, keys: keys.current, logger }));
  app.use(noRoute());
  const http = await listenHttp(app, settings.RENDERER_HOST, settings.RENDERER_PORT);
  const { url } = http;
  logger.info({ url, events: topics.events }, 'renderer consuming events; directory API listening');

  const stop = closeOnce(
    [
      ['stop http', () => http.close()],
      ['stop consumer (finishes the event in progress)', () => consumer.disconnect()],
      ['disconnect producer', () => producer.disconnect()],
      ['disconnect admin', () => admin.disconnect()],
      ['close stores', () => stores.close()],
      ['stop watching keys', () => keys.close()],
    ],
    { timeoutMs: settings.SHUTDOWN_TIMEOUT_MS, onError: (step, err) => logger.error({ step, err: (err as Error).message }, 'shutdown step failed') },
  );
  return { url, topics, stop, failed: health.failed };
}

if (require.main === module) runMain('renderer', () => startRenderer(loadRendererSettings(process.env)));
