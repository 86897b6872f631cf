import express from 'express';
import { closeOnce, createLogger, firstFailure, healthRoutes, noRoute, watchKeyRing, type ListeningHttp, type Logger, runMain, listenHttp, createRedisClient } from '@gateway/common';
import { deliveryStatusSchema, type PushMessage } from '@gateway/contracts';
import type { Redis } from 'ioredis';
import { startChannelWorker, type ChannelSender, type ChannelWorkerOptions, type RunningChannelWorker, type WorkerStores } from '@gateway/worker-core';
import { createWebPushSender } from './adapters/web-push-sender';
import { createRedisSubscriptionStore, type SubscriptionStore } from './data-access/subscription-store';
import { createPushRouter } from './entry-points/subscriptions-http';
import { createRedisInboxStore, type InboxStore } from './data-access/inbox-store';
import { createInboxSender } from './adapters/inbox-sender';
import { createInboxRouter } from './entry-points/inbox-http';
import { loadPushWorkerSettings, type PushWorkerSettings } from './settings';

export interface RunningPushWorker {
  url: string;
  push: RunningChannelWorker;
  inapp: RunningChannelWorker;
  stop: () => Promise<void>;
  /** Resolves when either consumer stopped for good (the process must be restarted). */
  failed: Promise<Error>;
}

/**
 * Composition root for what reaches a user's browser: the web push and in-app inbox channel
 * workers, and the HTTP API the agency web app uses (push subscriptions, inbox, live stream).
 */
export interface PushWorkerOptions {
  logger?: Logger;
  /** A bus to use instead of connecting to KAFKA_BROKERS (the embedded mode's in-process one). */
  bus?: ChannelWorkerOptions<'push'>['bus'];
  /** Stores to use instead of Redis ones (the embedded mode's in-memory ones); Redis is then not connected. */
  stores?: PushStores;
  /** Replaces web push (the embedded mode's development sink); the inbox is always the real one. */
  pushSender?: ChannelSender<PushMessage>;
}

/** What the push process keeps: the subscriptions, the inbox, and the stores of its two channel workers. */
export interface PushStores {
  subscriptions: SubscriptionStore;
  inbox: InboxStore;
  push: WorkerStores;
  inapp: WorkerStores;
}

/** The subscriptions and inbox on Redis (the channel workers make their own stores on the same client). */
function redisStores(settings: PushWorkerSettings, logger: Logger): Pick<PushStores, 'subscriptions' | 'inbox'> & { redis: Redis } {
  const redis = createRedisClient(settings.push.redis.url, logger, { maxRetriesPerRequest: 3 });
  const prefix = settings.push.redis.keyPrefix;
  return {
    redis,
    subscriptions: createRedisSubscriptionStore(redis, { prefix: `${prefix}push:`, maxPerUser: settings.webPush.maxSubscriptionsPerUser }),
    inbox: createRedisInboxStore(redis, { prefix: `${prefix}inbox:`, maxItemsPerUser: settings.inbox.maxItemsPerUser, retentionSeconds: settings.inbox.retentionDays * 24 * 3600, logger }),
  };
}

export async function startPushWorker(settings: PushWorkerSettings, options: PushWorkerOptions = {}): Promise<RunningPushWorker> {
  const logger = options.logger ?? createLogger({ name: 'worker-push', level: settings.push.logLevel });
  const keys = watchKeyRing(settings.keysFile, logger);
  const { bus, stores } = options;
  const { redis, subscriptions, inbox } = stores ? { redis: undefined, ...stores } : redisStores(settings, logger);
  const pushSender = createWebPushSender({
    store: subscriptions,
    vapid: settings.webPush.vapid,
    ttlSeconds: settings.webPush.ttlSeconds,
    timeoutMs: settings.webPush.timeoutMs,
    maxPayloadBytes: settings.webPush.maxPayloadBytes,
    logger,
  });
  // What started so far, stopped in reverse if a later step fails: a half-started process must
  // not keep a consumer in the group (holding partitions) or a Redis connection behind.
  const started: Array<[string, () => Promise<unknown> | unknown]> = [
    ['close redis', () => redis?.quit().catch(() => redis.disconnect())],
    ['close push sender', () => pushSender.close()],
    ['stop watching keys', () => keys.close()],
  ];
  const undoStarted = async () => {
    for (const [, step] of started) await Promise.resolve().then(step).catch(() => undefined);
  };
  let push: RunningChannelWorker, inapp: RunningChannelWorker, http: ListeningHttp;
  try {
    push = await startChannelWorker({ channel: 'push', sender: options.pushSender ?? pushSender, settings: settings.push, logger, redis, bus, stores: stores?.push });
    started.unshift(['stop push worker', () => push.stop()]);
    inapp = await startChannelWorker({ channel: 'inapp', sender: createInboxSender(inbox), settings: settings.inapp, logger, redis, bus, stores: stores?.inapp });
    started.unshift(['stop inbox worker', () => inapp.stop()]);

    const app = express();
    app.disable('x-powered-by');
    // Ready while both channel workers hold their partitions.
    healthRoutes(app, () => {
      const consuming = { push: push.consuming(), inapp: inapp.consuming() };
      return { ready: consuming.push && consuming.inapp, report: { consuming } };
    });
    app.use(createPushRouter({ store: subscriptions, keys: keys.current, logger, vapidPublicKey: settings.webPush.vapid.publicKey, allowedEndpointHosts: settings.webPush.endpointHosts }));
    app.use(
      createInboxRouter({
        store: inbox,
        keys: keys.current,
        logger,
        heartbeatMs: settings.inbox.sseHeartbeatMs,
        // Reading an item in the inbox is the strongest proof of delivery we get: a `read` status.
        onRead: async ({ messageId, eventId, at }) => {
          const status = deliveryStatusSchema.parse({ messageId, eventId, channel: 'inapp', status: 'read', at });
          await inapp.publish({ topic: inapp.topics.status, key: messageId, value: JSON.stringify(status), headers: { 'message-status': 'read' } });
        },
      }),
    );
    app.use(noRoute());
    http = await listenHttp(app, settings.http.host, settings.http.port);
  } catch (err) {
    await undoStarted();
    throw err;
  }
  const { url } = http;
  logger.info({ url }, 'push and inbox workers running; subscriptions and inbox API listening');

  const stop = closeOnce(
    [
      [
        'stop http',
        () => {
          const closed = http.close();
          // Inbox streams never go idle on their own: end them, clients resume from Last-Event-ID.
          http.server.closeAllConnections();
          return closed;
        },
      ],
      ['stop push worker', () => push.stop()],
      ['stop inbox worker', () => inapp.stop()],
      ['close push sender', () => pushSender.close()],
      ['close redis', () => redis?.quit().catch(() => redis.disconnect())],
      ['stop watching keys', () => keys.close()],
    ],
    { timeoutMs: 15000, onError: (step, err) => logger.error({ step, err: (err as Error).message }, 'shutdown step failed') },
  );
  return { url, push, inapp, stop, failed: firstFailure([push.failed, inapp.failed]) };
}

if (require.main === module) runMain('worker-push', () => startPushWorker(loadPushWorkerSettings(process.env)));
