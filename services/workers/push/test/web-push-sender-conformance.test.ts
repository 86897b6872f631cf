import webpush from 'web-push';
import type { PushMessage } from '@gateway/contracts';
import { closedPort, describeChannelSenderConformance, type SenderRig } from '@gateway/worker-core/test/support/channel-sender-conformance';
import { createMemorySubscriptionStore, createWebPushSender, type SubscriptionStore } from '../src';
import { browserFor, startPushService, type TestBrowser, type TestPushService } from './push-service';
import { pushMessage } from './support';

const TIMEOUT_MS = 300;
const VAPID = { subject: 'mailto:quantri@danang.gov.vn', ...webpush.generateVAPIDKeys() };

interface PushRig extends SenderRig<PushMessage> {
  service: TestPushService;
  browser: TestBrowser;
  store: SubscriptionStore;
}

const subscriptionKept = async (rig: PushRig): Promise<void> => {
  expect(await rig.store.list('nv-an')).toHaveLength(1);
};

describeChannelSenderConformance<PushMessage, PushRig>({
  provider: 'web-push',
  timeoutMs: TIMEOUT_MS,
  timeoutCode: 'ETIMEDOUT',
  async start() {
    const service = await startPushService();
    const store = createMemorySubscriptionStore({ maxPerUser: 10 });
    const browser = browserFor(service, 'conformance');
    await store.save('nv-an', { ...browser.subscription, expirationTime: null, createdAt: new Date().toISOString() });
    const build = () => createWebPushSender({ store, vapid: VAPID, ttlSeconds: 3600, timeoutMs: TIMEOUT_MS, agent: service.agent });
    const sender = build();
    return {
      service,
      browser,
      store,
      sender,
      message: () => pushMessage('nv-an'),
      hang: () => service.script(browser.path, { status: 'hang' }),
      lastIssuedId: () => service.requests.filter((r) => r.location !== undefined).pop()?.location,
      requestsSeen: () => service.requests.length,
      unreachable: async () => {
        await store.save('nv-unreachable', { ...browser.subscription, endpoint: `https://127.0.0.1:${await closedPort()}/push/x`, expirationTime: null, createdAt: new Date().toISOString() });
        return { sender: build(), message: pushMessage('nv-unreachable') };
      },
      close: async () => {
        await sender.close();
        await service.close();
      },
    };
  },
  transient: [
    {
      name: '429 with Retry-After: 7',
      arrange: (rig) => {
        rig.service.script(rig.browser.path, { status: 429, headers: { 'Retry-After': '7' }, body: 'Too many requests' });
      },
      expected: { code: '429', retryAfterMs: 7000 },
      after: subscriptionKept,
    },
    {
      name: '503',
      arrange: (rig) => {
        rig.service.script(rig.browser.path, { status: 503, body: 'Service Unavailable' });
      },
      expected: { code: '503' },
      after: subscriptionKept,
    },
  ],
  permanent: [
    {
      name: '400',
      arrange: (rig) => {
        rig.service.script(rig.browser.path, { status: 400, body: 'Bad request: invalid TTL' });
      },
      expected: { code: '400', answer: 'invalid TTL' },
      after: subscriptionKept,
    },
  ],
  undeliverable: { name: 'the recipient has no user id', message: () => pushMessage(undefined), code: 'no-user-id' },
});
