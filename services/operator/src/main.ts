import type { Redis } from 'ioredis';
import { topicSpecs } from '@gateway/contracts';
import { adoptLegacyGroupOffsets, createKafkaBus, ensureTopics, type Bus } from '@gateway/bus';
import { closeOnce, createLogger, superviseConsumer, watchKeyRing, type DevOutbox, type Logger, runMain, probe, listenHttp, createRedisClient, busCheck, storeCheck, type InfraCheck } from '@gateway/common';
import { runStatusProjection } from './entry-points/status-consumer';
import { runAttendanceProjection } from './entry-points/attendance-consumer';
import { createOperatorApp } from './entry-points/http';
import { loadOperatorSettings, type OperatorSettings } from './settings';
import { createRedisOperatorStores, type OperatorStores } from './data-access/stores';
import { producerPublisher } from './app/publisher';
import { ResendService } from './app/resend-service';
import { ResendJobRunner } from './app/job-runner';
import { CallbackDispatcher, type CallbackPoster } from './app/callback-dispatcher';
import { createFetchCallbackPoster } from './adapters/callback-poster';
import { runCallbackDispatch } from './entry-points/callbacks-consumer';

export interface RunningOperator {
  url: string;
  stores: OperatorStores;
  jobs: ResendJobRunner;
  stop: () => Promise<void>;
  /** Resolves when the status projection's consumer stopped for good (the process must be restarted). */
  failed: Promise<Error>;
}

export interface OperatorDeps {
  logger?: Logger;
  /** Stores to use instead of Redis ones (embedded mode: createMemoryOperatorStores()); Redis is then not connected. */
  stores?: OperatorStores;
  /** The embedded mode's in-process bus, used instead of connecting to KAFKA_BROKERS (readyz then names it `memory`). */
  bus?: Bus;
  /** What the development sinks captured: shows the console's test outbox page. */
  devOutbox?: DevOutbox;
  /** Readiness of injected infrastructure; defaults to "the bus and the store answer" (an injected bus is the embedded one). */
  readiness?: () => Promise<Record<string, InfraCheck>>;
  /** How status callbacks are POSTed (default: fetch). */
  callbackPoster?: CallbackPoster;
}

/** Composition root of the operator service: status projection, notifications and resend API, audit, web console. */
export async function startOperator(settings: OperatorSettings, deps: OperatorDeps = {}): Promise<RunningOperator> {
  const logger = deps.logger ?? createLogger({ name: 'operator', level: settings.logLevel });
  const { topics } = settings;
  const keys = watchKeyRing(settings.keysFile, logger);
  const redis = deps.stores ? undefined : createRedisClient(settings.redis.url, logger, { maxRetriesPerRequest: 2 });
  const stores = deps.stores ?? createRedisOperatorStores(redis as Redis, settings.redis.keyPrefix, {
    retentionMs: settings.statusRetentionMs,
    onUnreadableFailed: (problem) => logger.warn(problem, 'a worker\'s failed record no longer parses; read as absent'),
  });

  const bus: Bus = deps.bus ?? createKafkaBus({ brokers: settings.kafka.brokers, clientId: settings.kafka.clientId }, logger);
  const admin = bus.admin();
  await admin.connect();
  if (settings.kafka.createTopics) {
    const wanted = new Set([topics.status, topics.deadLetter, topics.sms, topics.email, topics.push, topics.inapp, topics.attendance]);
    await ensureTopics(admin, topicSpecs(settings.kafka.partitions, topics).filter((t) => wanted.has(t.topic)));
  }
  const producer = bus.publisher({ idempotent: true });
  await producer.connect();
  await adoptLegacyGroupOffsets(bus, { groupId: settings.kafka.groupId, legacyGroupId: settings.kafka.legacyGroupId, topics: [topics.status], logger });
  const { consumer, health } = superviseConsumer(bus, { groupId: settings.kafka.groupId }, { name: 'status projection', logger });
  await consumer.connect();
  const publisher = producerPublisher(producer);
  await runStatusProjection({ consumer, topics, store: stores.notifications, publisher, logger: logger.child({ component: 'status-projection' }) });
  // Attendance is on with its link secret: the page and the projection of its answers.
  const attendance = settings.attendance ? superviseConsumer(bus, { groupId: settings.attendanceGroupId }, { name: 'attendance projection', logger }) : undefined;
  if (attendance) {
    await attendance.consumer.connect();
    await runAttendanceProjection({ consumer: attendance.consumer, topics, answers: stores.attendance.answers, publisher, logger: logger.child({ component: 'attendance-projection' }) });
  }

  // Status callbacks: a consumer group of their own, so a slow receiver holds back nothing else.
  const dispatcher = new CallbackDispatcher({ poster: deps.callbackPoster ?? createFetchCallbackPoster(), store: stores.callbacks, publisher, topics, logger: logger.child({ component: 'callbacks' }), options: settings.callbacks.dispatch });
  const callbacks = settings.callbacks.enabled ? superviseConsumer(bus, { groupId: settings.callbacks.groupId }, { name: 'status callbacks', logger }) : undefined;
  if (callbacks) {
    await callbacks.consumer.connect();
    await runCallbackDispatch({ consumer: callbacks.consumer, topics, answers: Boolean(settings.attendance), keys: keys.current, store: stores.callbacks, dispatcher, logger: logger.child({ component: 'callbacks' }) });
  }

  const resends = new ResendService({ stores, publisher, topics, options: settings.resend });
  const jobs = new ResendJobRunner({ stores, resends, logger: logger.child({ component: 'resend-jobs' }), options: settings.resendJobs });

  const infraReadiness =
    deps.readiness ??
    (async () => {
      const [kafkaUp, redisUp] = await Promise.all([probe(() => admin.describeCluster(), 1500), redis ? probe(() => redis.ping(), 1000) : Promise.resolve(true)]);
      return { bus: busCheck(Boolean(deps.bus), kafkaUp), store: storeCheck(!redis, redisUp) };
    });
  const readiness = async () => ({ ...(await infraReadiness()), consuming: health.consuming() && (callbacks?.health.consuming() ?? true) && (attendance?.health.consuming() ?? true) });
  const app = createOperatorApp({ stores, resends, jobs, callbacks: dispatcher, keys: keys.current, logger, readiness, ...(deps.devOutbox ? { devOutbox: deps.devOutbox } : {}), ...(settings.attendance ? { attendancePage: { secret: settings.attendance.secret, publisher, topics } } : {}) });
  const http = await listenHttp(app, settings.http.host, settings.http.port);
  const { url } = http;
  const resumed = await jobs.resume();
  logger.info({ url, console: `${url}/console/`, status: topics.status, resumedJobs: resumed.length }, 'operator API and console listening; projecting statuses');

  const stop = closeOnce(
    [
      ['stop http', () => http.close()],
      ['stop resend jobs (the batch in flight is finished and counted)', () => jobs.stop()],
      ['stop status projection', () => consumer.disconnect()],
      ['stop attendance projection', () => attendance?.consumer.disconnect()],
      ['stop status callbacks (batches waiting for a retry are not committed)', async () => {
        dispatcher.stop();
        await callbacks?.consumer.disconnect();
      }],
      ['disconnect producer', () => producer.disconnect()],
      ['disconnect admin', () => admin.disconnect()],
      ['close redis', () => redis?.quit().catch(() => redis.disconnect())],
      ['stop watching keys', () => keys.close()],
    ],
    { timeoutMs: settings.shutdownTimeoutMs, onError: (step, err) => logger.error({ step, err: (err as Error).message }, 'shutdown step failed') },
  );
  const failed = Promise.race([health.failed, ...(callbacks ? [callbacks.health.failed] : []), ...(attendance ? [attendance.health.failed] : [])]);
  return { url, stores, jobs, stop, failed };
}

if (require.main === module) runMain('operator', () => startOperator(loadOperatorSettings(process.env)));
