import express from 'express';
import { topicSpecs, type Topics } from '@gateway/contracts';
import { adoptLegacyGroupOffsets, createKafkaBus, ensureTopics, type Bus } from '@gateway/bus';
import { closeOnce, createLogger, allReady, busCheck, storeCheck, healthRoutes, noRoute, superviseConsumer, watchKeyRing, type Logger, runMain, probe, listenHttp, createRedisClient } from '@gateway/common';
import { createRedisDirectoryStore, type DirectoryStore } from '@gateway/directory';
import { createMemoryLinkStore, createRedisLinkStore, type AttendanceLinkStore } from '@gateway/attendance';
import { createRedisSubjectVersions, type SubjectVersions } from '@gateway/delivery-ledger';
import { createTemplateEngine } from './adapters/handlebars-engine';
import { loadTemplates } from './adapters/template-files';
import { createRenderer } from './app/render';
import { createDirectoryRouter } from './entry-points/directory-http';
import { createMemorySequenceStore, createRedisSequenceStore, type SequenceStore } from './data-access/sequence-store';
import { runEventsConsumer } from './entry-points/events-consumer';
import { loadRendererSettings, type RendererSettings } from './settings';

export interface RunningRenderer {
  url: string;
  topics: Topics;
  stop: () => Promise<void>;
  /** Resolves when the events consumer stopped for good (the process must be restarted). */
  failed: Promise<Error>;
}

/**
 * What the renderer keeps: the directory it resolves recipients in, each meeting's calendar
 * SEQUENCE, and the latest version of each meeting and document, which the workers read.
 */
export interface RendererStores {
  directory: DirectoryStore;
  sequences: SequenceStore;
  versions: SubjectVersions;
  /** The personal attendance links and meeting summaries it writes (the operator's attendance page reads them). */
  attendance: AttendanceLinkStore;
  ping: () => Promise<boolean>;
  close: () => Promise<unknown>;
}

function redisStores(settings: RendererSettings, logger: Logger): RendererStores {
  const redis = createRedisClient(settings.redis.url, logger, { maxRetriesPerRequest: 2 });
  return {
    directory: createRedisDirectoryStore(redis, { prefix: `${settings.redis.keyPrefix}dir:` }),
    sequences: createRedisSequenceStore(redis, { prefix: settings.redis.keyPrefix }),
    versions: createRedisSubjectVersions(redis, { prefix: settings.redis.keyPrefix }),
    attendance: createRedisLinkStore(redis, { prefix: settings.redis.keyPrefix }),
    ping: () => probe(() => redis.ping(), 1000),
    close: () => redis.quit().catch(() => redis.disconnect()),
  };
}

/** In-process stores (embedded mode); pass the directory, subject versions and link store other services of the process share. */
export function createMemoryRendererStores(directory: DirectoryStore, versions: SubjectVersions, attendance: AttendanceLinkStore = createMemoryLinkStore()): RendererStores {
  return { directory, sequences: createMemorySequenceStore(), versions, attendance, ping: async () => true, close: async () => undefined };
}

export interface RendererDeps {
  logger?: Logger;
  /** A bus to use instead of connecting to KAFKA_BROKERS (the embedded mode's in-process one; readyz then names it `memory`). */
  bus?: Bus;
  /** Stores to use instead of Redis ones (the embedded mode's in-memory ones); Redis is then not connected. */
  stores?: RendererStores;
}

/**
 * Composition root of the templating service: the events consumer (events topic → channel
 * topics) and the directory API. Templates are compiled once here; a broken template stops the
 * start with the file named.
 */
export async function startRenderer(settings: RendererSettings, options: RendererDeps = {}): Promise<RunningRenderer> {
  const logger = options.logger ?? createLogger({ name: 'renderer', level: settings.logLevel });
  const { topics } = settings;
  const renderer = createRenderer({
    templates: loadTemplates(settings.templatesDir, createTemplateEngine()),
    agency: settings.agency,
  });
  const keys = watchKeyRing(settings.keysFile, logger);

  const stores = options.stores ?? redisStores(settings, logger);
  const { directory, sequences, versions } = stores;

  const kafka: Bus = options.bus ?? createKafkaBus({ brokers: settings.kafka.brokers, clientId: settings.kafka.clientId }, logger);
  const admin = kafka.admin();
  await admin.connect();
  if (settings.kafka.createTopics) {
    const created = await ensureTopics(admin, topicSpecs(settings.kafka.partitions, topics));
    if (created.length) logger.info({ topics: created }, 'created topics');
  }
  const producer = kafka.publisher();
  await producer.connect();
  await adoptLegacyGroupOffsets(kafka, { groupId: settings.kafka.groupId, legacyGroupId: settings.kafka.legacyGroupId, topics: [topics.events], logger });
  const { consumer, health } = superviseConsumer(kafka, { groupId: settings.kafka.groupId, sessionTimeoutMs: 30000, heartbeatIntervalMs: 3000 }, { name: 'events consumer', logger });
  await consumer.connect();
  await runEventsConsumer({
    consumer,
    producer,
    topics,
    logger,
    service: 'renderer',
    processor: { directory, sequences, versions, renderer, attendance: settings.attendance && { links: stores.attendance, ...settings.attendance } },
    partitionsConsumedConcurrently: settings.concurrency,
    gzip: settings.compression === 'gzip',
  });

  const app = express();
  app.disable('x-powered-by');
  healthRoutes(app, async () => {
    const [kafkaUp, redisUp] = await Promise.all([probe(() => admin.describeCluster(), 1500), stores.ping()]);
    return allReady({ bus: busCheck(Boolean(options.bus), kafkaUp), store: storeCheck(Boolean(options.stores), redisUp), consuming: health.consuming() });
  });
  app.use('/v1/directory', createDirectoryRouter({ store: directory, keys: keys.current, logger }));
  app.use(noRoute());
  const http = await listenHttp(app, settings.http.host, settings.http.port);
  const { url } = http;
  logger.info({ url, events: topics.events, attendanceLinks: settings.attendance !== undefined }, 'renderer consuming events; directory API listening');

  const stop = closeOnce(
    [
      ['stop http', () => http.close()],
      ['stop consumer (finishes the event in progress)', () => consumer.disconnect()],
      ['disconnect producer', () => producer.disconnect()],
      ['disconnect admin', () => admin.disconnect()],
      ['close stores', () => stores.close()],
      ['stop watching keys', () => keys.close()],
    ],
    { timeoutMs: settings.shutdownTimeoutMs, onError: (step, err) => logger.error({ step, err: (err as Error).message }, 'shutdown step failed') },
  );
  return { url, topics, stop, failed: health.failed };
}

if (require.main === module) runMain('renderer', () => startRenderer(loadRendererSettings(process.env)));
