import type { Redis } from 'ioredis';
import webpush from 'web-push';
import { ProviderError } from '@gateway/worker-core';
import { createRedisSubscriptionStore, createWebPushSender, parseRetryAfter, type PushPayload, type SubscriptionStore, type WebPushSender } from '../src';
import { browserFor, checkVapid, startPushService, type TestBrowser, type TestPushService } from './push-service';
import { dropPrefix, pushMessage, redisClient, uniqueName } from './support';

const VAPID = { subject: 'mailto:quantri@danang.gov.vn', ...webpush.generateVAPIDKeys() };

async function expectProviderError(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ProviderError);
    return err as ProviderError;
  }
  throw new Error('expected the send to fail');
}

describe('web push sender against a loopback push service and a real Redis', () => {
  let redis: Redis;
  let prefix: string;
  let store: SubscriptionStore;
  let service: TestPushService;
  let sender: WebPushSender;

  const register = async (userId: string, browser: TestBrowser, expirationTime: number | null = null) => {
    await store.save(userId, { ...browser.subscription, expirationTime, createdAt: new Date().toISOString() });
  };

  beforeAll(() => {
    redis = redisClient();
  });

  afterAll(async () => {
    await redis.quit();
  });

  beforeEach(async () => {
    prefix = `${uniqueName('push')}:`;
    store = createRedisSubscriptionStore(redis, { prefix, maxPerUser: 10 });
    service = await startPushService();
    sender = createWebPushSender({ store, vapid: VAPID, ttlSeconds: 3600, timeoutMs: 5000, agent: service.agent });
  });

  afterEach(async () => {
    await sender.close();
    await service.close();
    await dropPrefix(redis, prefix);
  });

  it('when the push service answers 201, then the send succeeds and the service received an aes128gcm payload with a valid VAPID signature that decrypts to the notification', async () => {
    const browser = browserFor(service, 'chrome');
    await register('nv-an', browser);
    const message = pushMessage('nv-an', { urgency: 'hoa-toc' });

    const result = await sender.send(message);
    expect(result.provider).toBe('web-push');
    expect(result.providerMessageId).toMatch(/^https:\/\/127\.0\.0\.1\/m\/\d+$/);

    expect(service.requests).toHaveLength(1);
    const request = service.requests[0];
    if (!request) throw new Error('no request');
    expect(request.path).toBe(browser.path);
    expect(request.headers['content-encoding']).toBe('aes128gcm');
    expect(request.headers['content-type']).toBe('application/octet-stream');
    expect(request.headers.ttl).toBe('3600');
    expect(request.headers.urgency).toBe('high');
    expect(checkVapid(request.headers.authorization as string, { audience: service.origin, subject: VAPID.subject, publicKey: VAPID.publicKey })).toBe(true);
    expect(request.body.length).toBeLessThanOrEqual(4096);
    // The payload is unreadable on the wire...
    expect(request.body.includes(Buffer.from('Hỏa tốc'))).toBe(false);
    // ...and exactly the notification for the browser that holds the keys.
    const payload = JSON.parse(browser.decrypt(request.body).toString('utf8')) as PushPayload;
    expect(payload).toEqual({ title: message.title, body: message.body, url: message.url, messageId: message.id });
  });

  it('when the message is thường, then the push urgency is normal', async () => {
    await register('nv-an', browserFor(service, 'firefox'));
    await sender.send(pushMessage('nv-an', { urgency: 'thuong' }));
    expect(service.requests[0]?.headers.urgency).toBe('normal');
  });

  it('when the push service answers 410, then the subscription is removed, the send fails permanently, and the next send finds no subscription', async () => {
    const browser = browserFor(service, 'gone');
    await register('nv-an', browser);
    service.script(browser.path, { status: 410, body: 'push subscription has unsubscribed or expired' });

    const first = await expectProviderError(sender.send(pushMessage('nv-an')));
    expect(first.errorClass).toBe('permanent');
    expect(first.details.code).toBe('no-subscription');
    expect(first.message).toMatch(/no push subscription/);
    expect(await store.list('nv-an')).toEqual([]);

    const second = await expectProviderError(sender.send(pushMessage('nv-an')));
    expect(second.errorClass).toBe('permanent');
    expect(second.details.code).toBe('no-subscription');
    expect(service.requests).toHaveLength(1);
  });

  it('when one browser is gone (404) and another accepts, then the send succeeds and only the gone one is removed', async () => {
    const gone = browserFor(service, 'old-laptop');
    const live = browserFor(service, 'phone');
    await register('nv-an', gone);
    await register('nv-an', live);
    service.script(gone.path, { status: 404 });

    const result = await sender.send(pushMessage('nv-an'));
    expect(result.provider).toBe('web-push');
    expect((await store.list('nv-an')).map((s) => s.endpoint)).toEqual([live.subscription.endpoint]);
  });

  it('when the user has no subscription, then the send fails permanently with a clear reason and nothing is sent', async () => {
    const failure = await expectProviderError(sender.send(pushMessage('tt-binh')));
    expect(failure.errorClass).toBe('permanent');
    expect(failure.details.code).toBe('no-subscription');
    expect(failure.message).toContain('tt-binh');
    expect(service.requests).toHaveLength(0);
  });

  it('when the payload would exceed one push message, then the send fails permanently before anything is sent', async () => {
    await register('nv-an', browserFor(service, 'chrome'));
    const failure = await expectProviderError(sender.send(pushMessage('nv-an', { body: 'Trích yếu văn bản rất dài. '.repeat(150).slice(0, 1500), title: 'Đ'.repeat(200), url: `https://vanban.danang.gov.vn/vb/${'x'.repeat(2000)}` })));
    expect(failure.errorClass).toBe('permanent');
    expect(failure.details.code).toBe('payload-too-large');
    expect(service.requests).toHaveLength(0);
  });

  it('when a subscription has expired, then it is removed without a request', async () => {
    await register('nv-an', browserFor(service, 'expired'), Date.now() - 1000);
    const failure = await expectProviderError(sender.send(pushMessage('nv-an')));
    expect(failure.details.code).toBe('no-subscription');
    expect(await store.list('nv-an')).toEqual([]);
    expect(service.requests).toHaveLength(0);
  });

  it('when the VAPID settings are wrong, then the factory refuses them', () => {
    expect(() => createWebPushSender({ store, vapid: { subject: 'quantri@danang.gov.vn', publicKey: 'abc', privateKey: VAPID.privateKey }, ttlSeconds: 60, timeoutMs: 1000 })).toThrow(
      /subject.*publicKey/,
    );
  });
});

describe('subscription store', () => {
  it('when a user registers more browsers than allowed, then the oldest are dropped', async () => {
    const redis = redisClient();
    const prefix = `${uniqueName('subs')}:`;
    try {
      const store = createRedisSubscriptionStore(redis, { prefix, maxPerUser: 2 });
      const sub = (n: number) => ({ endpoint: `https://fcm.googleapis.com/fcm/send/${n}`, keys: { p256dh: 'p', auth: 'a' }, expirationTime: null, createdAt: `2025-09-0${n}T00:00:00.000Z` });
      expect(await store.save('nv-an', sub(1))).toEqual({ created: true, evicted: 0 });
      await store.save('nv-an', sub(2));
      expect(await store.save('nv-an', sub(3))).toEqual({ created: true, evicted: 1 });
      expect(await store.save('nv-an', sub(3))).toEqual({ created: false, evicted: 0 });
      expect((await store.list('nv-an')).map((s) => s.endpoint).sort()).toEqual([sub(2).endpoint, sub(3).endpoint]);
    } finally {
      await dropPrefix(redis, prefix);
      await redis.quit();
    }
  });
});

describe('parseRetryAfter', () => {
  it('when given seconds, then milliseconds; when given an HTTP date, then the time until it; otherwise undefined', () => {
    const now = Date.parse('2025-09-29T01:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(['120'], now)).toBe(120_000);
    expect(parseRetryAfter('Mon, 29 Sep 2025 01:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Mon, 29 Sep 2025 00:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
