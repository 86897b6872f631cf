import { Redis } from 'ioredis';
import { TOPICS, topicSpecs, withPrefix } from '@gateway/contracts';
import { closeOnce, createKafka, ensureTopics, createLogger, watchKeyRing, type Logger, runMain, probe, listenHttp } from '@gateway/common';
import { createRedisStatusStore } from './projection/status-store';
import { runStatusProjection } from './projection/status-consumer';
import { createOperatorApp } from './entry-points/http';
import { loadOperatorSettings, type OperatorSettings } from './config';

export interface RunningOperator {
  url: string;
  stop: () => Promise<void>;
}

/** Composition root of the operator service: the status projection and the notifications API. */
export async function startOperator(settings: OperatorSettings, options: { logger?: Logger } = {}): Promise<RunningOperator> {
  const logger = options.logger ?? createLogger({ name: 'operator', level: settings.LOG_LEVEL });
  const topics = settings.TOPIC_PREFIX ? withPrefix(settings.TOPIC_PREFIX) : TOPICS;
  const keys = watchKeyRing(settings.GATEWAY_KEYS_FILE, logger);
  const redis = new Redis(settings.REDIS_URL, { maxRetriesPerRequest: 2, connectTimeout: 2000, enableAutoPipelining: true });
  redis.on('error', (err: Error) => logger.debug({ err: err.message }, 'redis connection error'));
  const store = createRedisStatusStore(redis, { prefix: settings.REDIS_KEY_PREFIX, retentionMs: settings.STATUS_RETENTION_DAYS * 24 * 3600 * 1000 });

  const kafka = createKafka({ brokers: settings.KAFKA_BROKERS, clientId: settings.KAFKA_CLIENT_ID }, logger);
  const admin = kafka.admin();
  await admin.connect();
  if (settings.KAFKA_CREATE_TOPICS) await ensureTopics(admin, topicSpecs(settings.TOPIC_PARTITIONS, topics).filter((t) => t.topic === topics.status));
  const consumer = kafka.consumer({ groupId: settings.STATUS_GROUP_ID, allowAutoTopicCreation: false });
  await consumer.connect();
  await runStatusProjection({ consumer, topic: topics.status, store, logger });

  const readiness = async () => {
    const [kafkaUp, redisUp] = await Promise.all([probe(() => admin.describeCluster(), 1500), probe(() => redis.ping(), 1000)]);
    return { kafka: kafkaUp, redis: redisUp };
  };
  const app = createOperatorApp({ store, keys: keys.current, logger, readiness });
  const http = await listenHttp(app, settings.OPERATOR_HOST, settings.OPERATOR_PORT);
  const { url } = http;
  logger.info({ url, status: topics.status }, 'operator API listening; projecting statuses');

  const stop = closeOnce(
    [
      ['stop http', () => http.close()],
      ['stop status projection', () => consumer.disconnect()],
      ['disconnect admin', () => admin.disconnect()],
      ['close redis', () => redis.quit().catch(() => redis.disconnect())],
      ['stop watching keys', () => keys.close()],
    ],
    { timeoutMs: settings.SHUTDOWN_TIMEOUT_MS, onError: (step, err) => logger.error({ step, err: (err as Error).message }, 'shutdown step failed') },
  );
  return { url, stop };
}

if (require.main === module) runMain('operator', () => startOperator(loadOperatorSettings(process.env)));
