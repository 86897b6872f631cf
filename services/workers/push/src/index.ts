import webpush from 'web-push';
export { createWebPushSender, parseRetryAfter, MAX_PUSH_PAYLOAD_BYTES, type PushPayload, type WebPushSender, type WebPushSenderOptions } from './adapters/web-push-sender';
export { createRedisSubscriptionStore, type RedisSubscriptionStoreOptions, type StoredSubscription, type SubscriptionStore } from './data-access/subscription-store';
export { createPushRouter, type PushRouterDeps } from './entry-points/subscriptions-http';
export { DEFAULT_PUSH_ENDPOINT_HOSTS, endpointHostAllowed } from './domain/subscription-schema';
export { createRedisInboxStore, compareItemIds, isInboxItemId, type InboxEntry, type InboxListItem, type InboxListener, type InboxPage, type InboxStore, type NewInboxItem, type RedisInboxStoreOptions } from './data-access/inbox-store';
export { createInboxSender } from './adapters/inbox-sender';
export { createInboxRouter, type InboxRouterDeps, type ReadReceipt } from './entry-points/inbox-http';
export { serveInboxStream, type InboxStreamOptions } from './entry-points/inbox-sse';
export { loadPushWorkerSettings, pushSettingsSchema, type PushSettings, type PushWorkerSettings } from './settings';
export { createMemorySubscriptionStore } from './data-access/memory-subscription-store';
export { createMemoryInboxStore } from './data-access/memory-inbox-store';
export { startPushWorker, type PushStores, type PushWorkerOptions } from './main';

/** A fresh VAPID key pair (base64url), e.g. for a development run. */
export function generateVapidKeys(): { publicKey: string; privateKey: string } {
  return webpush.generateVAPIDKeys();
}
