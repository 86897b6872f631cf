import webpush from 'web-push';
export { createWebPushSender, parseRetryAfter, MAX_PUSH_PAYLOAD_BYTES, type PushPayload, type WebPushSender, type WebPushSenderOptions } from './web-push-sender';
export { createRedisSubscriptionStore, type RedisSubscriptionStoreOptions, type StoredSubscription, type SubscriptionStore } from './subscriptions/store';
export { createPushRouter, type PushRouterDeps } from './subscriptions/http';
export { DEFAULT_PUSH_ENDPOINT_HOSTS, endpointHostAllowed } from './subscriptions/schema';
export { createRedisInboxStore, compareItemIds, isInboxItemId, type InboxEntry, type InboxListItem, type InboxListener, type InboxPage, type InboxStore, type NewInboxItem, type RedisInboxStoreOptions } from './inbox/store';
export { createInboxSender } from './inbox/sender';
export { createInboxRouter, type InboxRouterDeps, type ReadReceipt } from './inbox/http';
export { serveInboxStream, type InboxStreamOptions } from './inbox/sse';
export { loadPushWorkerSettings, pushSettingsSchema, type PushSettings, type PushWorkerSettings } from './settings';
export { createMemorySubscriptionStore } from './subscriptions/memory-store';
export { createMemoryInboxStore } from './inbox/memory-store';
export { startPushWorker, type PushStores, type PushWorkerOptions } from './main';

/** A fresh VAPID key pair (base64url), e.g. for a development run. */
export function generateVapidKeys(): { publicKey: string; privateKey: string } {
  return webpush.generateVAPIDKeys();
}
