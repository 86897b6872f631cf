import express from 'express';
import type { Redis } from 'ioredis';
import request from 'supertest';
import webpush from 'web-push';
import { createPushRouter, createRedisSubscriptionStore, createWebPushSender, endpointHostAllowed, type SubscriptionStore } from '../src';
import { browserFor, browserKeys, startPushService } from './push-service';
import { dropPrefix, pushMessage, redisClient, silentLogger, testKeys, uniqueName, type TestKeys } from './support';

const VAPID = { subject: 'mailto:quantri@danang.gov.vn', ...webpush.generateVAPIDKeys() };
const FCM = 'https://fcm.googleapis.com/fcm/send/dGVzdC1lbmRwb2ludA:APA91bH';

describe('push subscription HTTP API', () => {
  let redis: Redis;
  let prefix: string;
  let store: SubscriptionStore;
  let keys: TestKeys;
  let app: express.Express;

  beforeAll(() => {
    redis = redisClient();
    keys = testKeys();
  });

  afterAll(async () => {
    await redis.quit();
  });

  beforeEach(() => {
    prefix = `${uniqueName('push-http')}:`;
    store = createRedisSubscriptionStore(redis, { prefix, maxPerUser: 10 });
    app = express();
    app.use(createPushRouter({ store, keys: keys.ring, logger: silentLogger, vapidPublicKey: VAPID.publicKey }));
  });

  afterEach(async () => {
    await dropPrefix(redis, prefix);
  });

  const post = (body: unknown, key: string | null = keys.writer) => {
    const req = request(app).post('/v1/push/subscriptions').set('Content-Type', 'application/json');
    return (key ? req.set('Authorization', `Bearer ${key}`) : req).send(JSON.stringify(body));
  };

  it('when the browser app asks for the VAPID public key, then it gets it without a key', async () => {
    const res = await request(app).get('/v1/push/vapid-public-key');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ publicKey: VAPID.publicKey });
    expect(res.headers['cache-control']).toContain('max-age');
  });

  it('when the agency app registers a subscription, then 201 and it is stored; registering it again gives 200', async () => {
    const body = { userId: 'nv-an', endpoint: FCM, expirationTime: null, keys: browserKeys() };
    const first = await post(body);
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ userId: 'nv-an', endpoint: FCM, created: true });
    const again = await post(body);
    expect(again.status).toBe(200);
    expect(again.body.created).toBe(false);
    const stored = await store.list('nv-an');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ endpoint: FCM, keys: body.keys, expirationTime: null });
  });

  it.each([
    ['an http endpoint', { endpoint: 'http://fcm.googleapis.com/fcm/send/abc' }, 'endpoint'],
    ['an endpoint on an internal host', { endpoint: 'https://10.0.0.5/admin/reset' }, 'endpoint'],
    ['an endpoint on a look-alike host', { endpoint: 'https://fcm.googleapis.com.attacker.example/x' }, 'endpoint'],
    ['a p256dh that is not an uncompressed point', { keys: { p256dh: Buffer.alloc(65, 1).toString('base64url'), auth: Buffer.alloc(16).toString('base64url') } }, 'keys.p256dh'],
    ['a p256dh that is not on the curve', { keys: { p256dh: Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]).toString('base64url'), auth: Buffer.alloc(16).toString('base64url') } }, 'keys.p256dh'],
    ['an auth secret of the wrong size', { keys: { p256dh: browserKeys().p256dh, auth: Buffer.alloc(8).toString('base64url') } }, 'keys.auth'],
    ['a bad user id', { userId: 'nv an/../' }, 'userId'],
  ])('when the body has %s, then 400 naming the field', async (_what, change, path) => {
    const res = await post({ userId: 'nv-an', endpoint: FCM, keys: browserKeys(), ...change });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect((res.body as { errors: Array<{ path: string }> }).errors.map((e) => e.path)).toContain(path);
  });

  it('when the body is not JSON, then 415; when it is malformed JSON, then 400', async () => {
    const notJson = await request(app).post('/v1/push/subscriptions').set('Authorization', `Bearer ${keys.writer}`).set('Content-Type', 'text/plain').send('hello');
    expect(notJson.status).toBe(415);
    const malformed = await request(app).post('/v1/push/subscriptions').set('Authorization', `Bearer ${keys.writer}`).set('Content-Type', 'application/json').send('{"userId":');
    expect(malformed.status).toBe(400);
  });

  it('when no key or an unknown key is sent, then 401; when the key lacks events:write, then 403; admin may', async () => {
    const body = { userId: 'nv-an', endpoint: FCM, keys: browserKeys() };
    expect((await post(body, null)).status).toBe(401);
    expect((await post(body, 'gw_not-a-real-key')).status).toBe(401);
    expect((await post(body, keys.reader)).status).toBe(403);
    expect((await post(body, keys.other)).status).toBe(403);
    expect((await post(body, keys.admin)).status).toBe(201);
    const del = await request(app).delete('/v1/push/subscriptions').set('Authorization', `Bearer ${keys.reader}`).set('Content-Type', 'application/json').send({ userId: 'nv-an', endpoint: FCM });
    expect(del.status).toBe(403);
  });

  it('when a subscription is deleted by endpoint, then 204 and it is gone; deleting it again gives 404', async () => {
    await post({ userId: 'nv-an', endpoint: FCM, keys: browserKeys() });
    const del = () => request(app).delete('/v1/push/subscriptions').set('Authorization', `Bearer ${keys.writer}`).set('Content-Type', 'application/json').send({ userId: 'nv-an', endpoint: FCM });
    expect((await del()).status).toBe(204);
    expect(await store.list('nv-an')).toEqual([]);
    expect((await del()).status).toBe(404);
  });

  it('when a browser registers through the API, then the web push sender reaches it', async () => {
    const service = await startPushService();
    const local = express();
    local.use(createPushRouter({ store, keys: keys.ring, logger: silentLogger, vapidPublicKey: VAPID.publicKey, allowedEndpointHosts: ['127.0.0.1'] }));
    const sender = createWebPushSender({ store, vapid: VAPID, ttlSeconds: 60, timeoutMs: 5000, agent: service.agent });
    try {
      const browser = browserFor(service, 'registered');
      const res = await request(local).post('/v1/push/subscriptions').set('Authorization', `Bearer ${keys.writer}`).send({ userId: 'tt-binh', ...browser.subscription });
      expect(res.status).toBe(201);
      const message = pushMessage('tt-binh');
      await sender.send(message);
      expect(service.requests.map((r) => r.path)).toEqual([browser.path]);
      expect(JSON.parse(browser.decrypt(service.requests[0]?.body ?? Buffer.alloc(0)).toString('utf8'))).toMatchObject({ messageId: message.id });
    } finally {
      await sender.close();
      await service.close();
    }
  });
});

describe('endpointHostAllowed', () => {
  it('when the host is a listed push service or a subdomain of one, then it is allowed; otherwise not', () => {
    const hosts = ['fcm.googleapis.com', 'push.services.mozilla.com', 'push.apple.com', 'notify.windows.com'];
    expect(endpointHostAllowed('https://fcm.googleapis.com/fcm/send/x', hosts)).toBe(true);
    expect(endpointHostAllowed('https://updates.push.services.mozilla.com/wpush/v2/x', hosts)).toBe(true);
    expect(endpointHostAllowed('https://web.push.apple.com/QGx', hosts)).toBe(true);
    expect(endpointHostAllowed('https://wns2-par02p.notify.windows.com/w/?token=x', hosts)).toBe(true);
    expect(endpointHostAllowed('https://evilfcm.googleapis.com.example/x', hosts)).toBe(false);
    expect(endpointHostAllowed('https://localhost/x', hosts)).toBe(false);
    expect(endpointHostAllowed('not a url', hosts)).toBe(false);
  });
});
