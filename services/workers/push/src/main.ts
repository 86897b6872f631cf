import express from 'express';
import { z } from 'zod';
import { closeOnce, createLogger, parseSettings, healthRoutes, noRoute, setting, watchKeyRing, type Embedded, type Logger, runMain, listenHttp, createRedisClient } from '@gateway/common';
import { deliveryStatusSchema, type PushMessage } from '@gateway/contracts';
import { loadWorkerSettings, SettingsProblems, startChannelWorker, type ChannelSender, type RunningChannelWorker, type WorkerSettings } from '@gateway/worker-core';
import { createWebPushSender } from './web-push-sender';
import { createRedisSubscriptionStore, type SubscriptionStore } from './subscriptions/store';
import { createMemorySubscriptionStore } from './subscriptions/memory-store';
import { createPushRouter } from './subscriptions/http';
import { createRedisInboxStore, type InboxStore } from './inbox/store';
import { createMemoryInboxStore } from './inbox/memory-store';
import { createInboxSender } from './inbox/sender';
import { createInboxRouter } from './inbox/http';
import { pushSettingsSchema, type PushSettings } from './settings';

const httpSettingsSchema = z.object({
  PUSH_HOST: z.string().default('127.0.0.1'),
  PUSH_PORT: setting.port(8083),
  GATEWAY_KEYS_FILE: z.string({ message: 'required: path to the API keys JSON file' }).min(1),
});

export interface PushWorkerSettings {
  push: WorkerSettings;
  inapp: WorkerSettings;
  web: PushSettings;
  http: z.output<typeof httpSettingsSchema>;
}

export function loadPushWorkerSettings(env: Record<string, string | undefined>): PushWorkerSettings {
  const problems = new SettingsProblems('worker-push');
  const push = problems.take(() => loadWorkerSettings('push', env));
  const inapp = problems.take(() => loadWorkerSettings('inapp', env, 'worker-inapp'));
  const web = problems.take(() => parseSettings('worker-push', pushSettingsSchema, env));
  const http = problems.take(() => parseSettings('worker-push', httpSettingsSchema, env));
  problems.check();
  return { push: push as WorkerSettings, inapp: inapp as WorkerSettings, web: web as PushSettings, http: http as PushWorkerSettings['http'] };
}

export interface RunningPushWorker {
  url: string;
  push: RunningChannelWorker;
  inapp: RunningChannelWorker;
  stop: () => Promise<void>;
}

/**
 * Composition root for what reaches a user's browser: the web push and in-app inbox channel
 * workers, and the HTTP API the agency web app uses (push subscriptions, inbox, live stream).
 */
export interface PushWorkerOptions {
  logger?: Logger;
  /** Embedded mode: the in-process bus and in-memory stores instead of Kafka and Redis. */
  embedded?: Embedded;
  /** Replaces web push (the embedded mode's development sink); the inbox is always the real one. */
  pushSender?: ChannelSender<PushMessage>;
}

/** The inbox of the embedded mode, shared with the rest of the process (the demo reads it). */
export function embeddedInbox(embedded: Embedded, maxItemsPerUser = 500): InboxStore {
  return embedded.stores.get('push:inbox', () => createMemoryInboxStore({ maxItemsPerUser }));
}

export async function startPushWorker(settings: PushWorkerSettings, options: PushWorkerOptions = {}): Promise<RunningPushWorker> {
  const logger = options.logger ?? createLogger({ name: 'worker-push', level: settings.push.logLevel });
  const keys = watchKeyRing(settings.http.GATEWAY_KEYS_FILE, logger);
  const embedded = options.embedded;
  const redis = embedded ? undefined : createRedisClient(settings.push.redis.url, logger, { maxRetriesPerRequest: 3 });
  const prefix = settings.push.redis.keyPrefix;
  let subscriptions: SubscriptionStore, inbox: InboxStore;
  if (redis) {
    subscriptions = createRedisSubscriptionStore(redis, { prefix: `${prefix}push:`, maxPerUser: settings.web.WEB_PUSH_MAX_SUBSCRIPTIONS_PER_USER });
    inbox = createRedisInboxStore(redis, { prefix: `${prefix}inbox:`, maxItemsPerUser: settings.web.INBOX_MAX_ITEMS_PER_USER, retentionSeconds: settings.web.INBOX_RETENTION_DAYS * 24 * 3600, logger });
  } else {
    const e = embedded as Embedded;
    subscriptions = e.stores.get('push:subscriptions', () => createMemorySubscriptionStore({ maxPerUser: settings.web.WEB_PUSH_MAX_SUBSCRIPTIONS_PER_USER }));
    inbox = embeddedInbox(e, settings.web.INBOX_MAX_ITEMS_PER_USER);
  }
  const pushSender = createWebPushSender({
    store: subscriptions,
    vapid: { subject: settings.web.WEB_PUSH_VAPID_SUBJECT, publicKey: settings.web.WEB_PUSH_VAPID_PUBLIC_KEY, privateKey: settings.web.WEB_PUSH_VAPID_PRIVATE_KEY },
    ttlSeconds: settings.web.WEB_PUSH_TTL_SECONDS,
    timeoutMs: settings.web.WEB_PUSH_TIMEOUT_MS,
    maxPayloadBytes: settings.web.WEB_PUSH_MAX_PAYLOAD_BYTES,
    logger,
  });
  const push = await startChannelWorker({ channel: 'push', sender: options.pushSender ?? pushSender, settings: settings.push, logger, redis, embedded });
  const inapp = await startChannelWorker({ channel: 'inapp', sender: createInboxSender(inbox), settings: settings.inapp, logger, redis, embedded });

  const app = express();
  app.disable('x-powered-by');
  let consuming = { push: false, inapp: false };
  void push.joined.then(() => (consuming = { ...consuming, push: true }));
  void inapp.joined.then(() => (consuming = { ...consuming, inapp: true }));
  // Ready once both channel workers hold their partitions.
  healthRoutes(app, () => ({ ready: consuming.push && consuming.inapp, report: { consuming } }));
  app.use(createPushRouter({ store: subscriptions, keys: keys.current, logger, vapidPublicKey: settings.web.WEB_PUSH_VAPID_PUBLIC_KEY, allowedEndpointHosts: settings.web.WEB_PUSH_ENDPOINT_HOSTS }));
  app.use(
    createInboxRouter({
      store: inbox,
      keys: keys.current,
      logger,
      heartbeatMs: settings.web.INBOX_SSE_HEARTBEAT_MS,
      // Reading an item in the inbox is the strongest proof of delivery we get: a `read` status.
      onRead: async ({ messageId, eventId, at }) => {
        const status = deliveryStatusSchema.parse({ messageId, eventId, channel: 'inapp', status: 'read', at });
        await inapp.publish({ topic: inapp.topics.status, key: messageId, value: JSON.stringify(status), headers: { 'message-status': 'read' } });
      },
    }),
  );
  app.use(noRoute());
  const http = await listenHttp(app, settings.http.PUSH_HOST, settings.http.PUSH_PORT);
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
  return { url, push, inapp, stop };
}

if (require.main === module) runMain('worker-push', () => startPushWorker(loadPushWorkerSettings(process.env)));
