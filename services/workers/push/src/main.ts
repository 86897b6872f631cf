import express from 'express';
import { z } from 'zod';
import { closeOnce, createLogger, firstFailure, parseSettings, healthRoutes, noRoute, setting, watchKeyRing, type Embedded, type ListeningHttp, type Logger, runMain, listenHttp, createRedisClient } from '@gateway/common';
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
  /** Resolves when either consumer stopped for good (the process must be restarted). */
  failed: Promise<Error>;
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
    push = await startChannelWorker({ channel: 'push', sender: options.pushSender ?? pushSender, settings: settings.push, logger, redis, embedded });
    started.unshift(['stop push worker', () => push.stop()]);
    inapp = await startChannelWorker({ channel: 'inapp', sender: createInboxSender(inbox), settings: settings.inapp, logger, redis, embedded });
    started.unshift(['stop inbox worker', () => inapp.stop()]);

    const app = express();
    app.disable('x-powered-by');
    // Ready while both channel workers hold their partitions.
    healthRoutes(app, () => {
      const consuming = { push: push.consuming(), inapp: inapp.consuming() };
      return { ready: consuming.push && consuming.inapp, report: { consuming } };
    });
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
    http = await listenHttp(app, settings.http.PUSH_HOST, settings.http.PUSH_PORT);
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
