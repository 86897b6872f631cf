import type { Redis } from 'ioredis';
import { ProviderError, type ChannelSender } from '@gateway/worker-core';
import type { InappMessage } from '@gateway/contracts';
import { waitFor } from '@gateway/tests/support/infra';
import { compareItemIds, createInboxRouter, createInboxSender, createRedisInboxStore, type InboxPage, type InboxStore, type ReadReceipt } from '../src';
import { connectSse, type SseClient } from './sse-client';
import { dropPrefix, inappMessage, redisClient, serve, silentLogger, testKeys, uniqueName, type TestHttp, type TestKeys } from './support';

interface Replica {
  redis: Redis;
  store: InboxStore;
  sender: ChannelSender<InappMessage>;
  http: TestHttp;
}

describe('in-app inbox over a real Redis and real HTTP', () => {
  let keys: TestKeys;
  let prefix: string;
  let reads: ReadReceipt[];
  let onRead: (receipt: ReadReceipt) => Promise<void> | void;
  let replicas: Replica[];
  let clients: SseClient[];
  let admin: Redis;

  beforeAll(() => {
    keys = testKeys();
    admin = redisClient();
  });

  afterAll(async () => {
    await admin.quit();
  });

  beforeEach(() => {
    prefix = `${uniqueName('inbox')}:`;
    reads = [];
    onRead = (receipt) => {
      reads.push(receipt);
    };
    replicas = [];
    clients = [];
  });

  afterEach(async () => {
    clients.forEach((c) => c.close());
    for (const replica of replicas) {
      await replica.http.close();
      await replica.store.close();
      await replica.redis.quit();
    }
    await dropPrefix(admin, prefix);
  });

  /** One "replica" of the push worker's inbox: own Redis connections, own HTTP server. */
  async function startReplica(options: { maxItemsPerUser?: number; heartbeatMs?: number } = {}): Promise<Replica> {
    const redis = redisClient();
    const store = createRedisInboxStore(redis, { prefix, maxItemsPerUser: options.maxItemsPerUser ?? 1000, retentionSeconds: 3600, logger: silentLogger });
    const http = await serve(
      createInboxRouter({ store, keys: keys.ring, logger: silentLogger, onRead: (receipt) => onRead(receipt), heartbeatMs: options.heartbeatMs ?? 15_000, now: () => new Date('2025-09-29T02:00:00.000Z') }),
    );
    const replica = { redis, store, sender: createInboxSender(store), http };
    replicas.push(replica);
    return replica;
  }

  async function stream(replica: Replica, userId: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const client = await connectSse(`${replica.http.url}/v1/inbox/stream?userId=${userId}`, { Authorization: `Bearer ${keys.reader}`, ...headers });
    clients.push(client);
    expect(client.status).toBe(200);
    return client;
  }

  async function api(replica: Replica, method: 'GET' | 'POST', path: string, key: string | null = keys.reader): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${replica.http.url}${path}`, { method, headers: key ? { Authorization: `Bearer ${key}` } : {} });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  const idsOf = (client: SseClient) => client.events.filter((e) => e.event === 'message').map((e) => e.id);

  it('when an item is stored, then an open SSE stream receives it', async () => {
    const replica = await startReplica();
    const client = await stream(replica, 'nv-an');
    expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(client.headers['cache-control']).toContain('no-cache');
    const message = inappMessage('nv-an');

    const { providerMessageId } = await replica.sender.send(message);
    const [event] = await client.waitForEvents(1);

    expect(event?.id).toBe(providerMessageId);
    expect(JSON.parse(event?.data ?? '{}')).toMatchObject({ id: providerMessageId, messageId: message.id, title: message.title, body: message.body, url: message.url, eventType: 'document.dispatched' });
  });

  it('when a client disconnects, misses 3 items and reconnects with Last-Event-ID, then it gets exactly those 3 in order, then live ones', async () => {
    const replica = await startReplica();
    const first = await stream(replica, 'nv-an');
    const seen = await replica.sender.send(inappMessage('nv-an'));
    await first.waitForEvents(1);
    first.close();

    const missed: string[] = [];
    for (let i = 0; i < 3; i += 1) missed.push((await replica.sender.send(inappMessage('nv-an', { title: `Văn bản bỏ lỡ ${i + 1}` }))).providerMessageId ?? '');

    const second = await stream(replica, 'nv-an', { 'Last-Event-ID': seen.providerMessageId ?? '' });
    await second.waitForEvents(3);
    expect(idsOf(second)).toEqual(missed);
    expect(second.events.map((e) => (JSON.parse(e.data) as { title: string }).title)).toEqual(['Văn bản bỏ lỡ 1', 'Văn bản bỏ lỡ 2', 'Văn bản bỏ lỡ 3']);

    const live = await replica.sender.send(inappMessage('nv-an'));
    const sentinel = await replica.sender.send(inappMessage('nv-an'));
    await second.waitForEvents(5);
    expect(idsOf(second)).toEqual([...missed, live.providerMessageId, sentinel.providerMessageId]);
  });

  it('when items arrive while a reconnecting client is catching up, then none is lost or repeated', async () => {
    const replica = await startReplica();
    const before = await replica.sender.send(inappMessage('nv-an'));
    const backlog: string[] = [];
    for (let i = 0; i < 250; i += 1) backlog.push((await replica.sender.send(inappMessage('nv-an'))).providerMessageId ?? '');
    const during = Array.from({ length: 20 }, () => inappMessage('nv-an'));

    const connecting = stream(replica, 'nv-an', { 'Last-Event-ID': before.providerMessageId ?? '' });
    const sent = await Promise.all(during.map((m) => replica.sender.send(m)));
    const client = await connecting;
    await client.waitForEvents(270, { timeoutMs: 10_000 });
    const sentinel = await replica.sender.send(inappMessage('nv-an'));
    await client.waitForEvents(271);
    const expected = [...backlog, ...sent.map((s) => s.providerMessageId ?? '')].sort(compareItemIds);
    expect(idsOf(client)).toEqual([...expected, sentinel.providerMessageId]);
  });

  it('when a client connects without Last-Event-ID, then it gets only items stored after it connected', async () => {
    const replica = await startReplica();
    await replica.sender.send(inappMessage('nv-an', { title: 'Cũ' }));
    const client = await stream(replica, 'nv-an');
    await replica.sender.send(inappMessage('nv-an', { title: 'Mới' }));
    const [event] = await client.waitForEvents(1);
    expect((JSON.parse(event?.data ?? '{}') as { title: string }).title).toBe('Mới');
  });

  it('when an item is stored on one replica, then an SSE client of another replica receives it', async () => {
    const one = await startReplica();
    const two = await startReplica();
    const client = await stream(two, 'nv-an');
    const { providerMessageId } = await one.sender.send(inappMessage('nv-an'));
    const [event] = await client.waitForEvents(1);
    expect(event?.id).toBe(providerMessageId);
  });

  it('when another user gets an item, then this user\'s stream does not', async () => {
    const replica = await startReplica();
    const client = await stream(replica, 'nv-an');
    await replica.sender.send(inappMessage('tt-binh'));
    const mine = await replica.sender.send(inappMessage('nv-an'));
    await client.waitForEvents(1);
    expect(idsOf(client)).toEqual([mine.providerMessageId]);
  });

  it('when the same message id is stored twice, then there is one item and the second send returns its id', async () => {
    const replica = await startReplica();
    const client = await stream(replica, 'nv-an');
    const message = inappMessage('nv-an');
    const first = await replica.sender.send(message);
    const second = await replica.sender.send({ ...message, attempt: 2 });
    expect(second).toEqual(first);
    expect(first.provider).toBe('inbox');
    const sentinel = await replica.sender.send(inappMessage('nv-an'));
    await client.waitForEvents(2);
    expect(idsOf(client)).toEqual([first.providerMessageId, sentinel.providerMessageId]);
    const page = (await api(replica, 'GET', '/v1/inbox?userId=nv-an')).body as unknown as InboxPage;
    expect(page.items.map((i) => i.id)).toEqual([sentinel.providerMessageId, first.providerMessageId]);
    expect(page.unread).toBe(2);
  });

  it('when the inbox is listed, then it pages newest first with a cursor and an unread count', async () => {
    const replica = await startReplica();
    const ids: string[] = [];
    for (let i = 1; i <= 5; i += 1) ids.push((await replica.sender.send(inappMessage('nv-an', { title: `Thông báo ${i}` }))).providerMessageId ?? '');

    const first = (await api(replica, 'GET', '/v1/inbox?userId=nv-an&limit=2')).body as unknown as InboxPage;
    expect(first.items.map((i) => i.id)).toEqual([ids[4], ids[3]]);
    expect(first.items.every((i) => !i.read)).toBe(true);
    expect(first.unread).toBe(5);
    const second = (await api(replica, 'GET', `/v1/inbox?userId=nv-an&limit=2&cursor=${first.nextCursor}`)).body as unknown as InboxPage;
    expect(second.items.map((i) => i.id)).toEqual([ids[2], ids[1]]);
    const last = (await api(replica, 'GET', `/v1/inbox?userId=nv-an&limit=2&cursor=${second.nextCursor}`)).body as unknown as InboxPage;
    expect(last.items.map((i) => i.title)).toEqual(['Thông báo 1']);
    expect(last.nextCursor).toBeUndefined();

    expect((await api(replica, 'GET', '/v1/inbox?userId=nv-an&limit=0')).status).toBe(400);
    expect((await api(replica, 'GET', '/v1/inbox?userId=nv-an&cursor=abc')).status).toBe(400);
    const empty = (await api(replica, 'GET', '/v1/inbox?userId=ai-do')).body as unknown as InboxPage;
    expect(empty).toEqual({ items: [], unread: 0 });
  });

  it('when items are marked read one by one and then all at once, then unread counts follow and each read is recorded once', async () => {
    const replica = await startReplica();
    const messages = [1, 2, 3].map(() => inappMessage('nv-an'));
    const ids: string[] = [];
    for (const m of messages) ids.push((await replica.sender.send(m)).providerMessageId ?? '');
    const watcher = await stream(replica, 'nv-an');

    const read = await api(replica, 'POST', `/v1/inbox/${ids[0]}/read?userId=nv-an`);
    expect(read).toEqual({ status: 200, body: { id: ids[0], read: true, changed: true, unread: 2 } });
    expect(reads).toEqual([{ messageId: messages[0]?.id, eventId: messages[0]?.eventId, userId: 'nv-an', at: '2025-09-29T02:00:00.000Z' }]);
    // Another tab or device learns it was read.
    const [notice] = await watcher.waitForEvents(1, { type: 'read' });
    expect(JSON.parse(notice?.data ?? '{}')).toEqual({ ids: [ids[0]] });
    expect(notice?.id).toBeUndefined();

    const again = await api(replica, 'POST', `/v1/inbox/${ids[0]}/read?userId=nv-an`);
    expect(again.body).toMatchObject({ changed: false, unread: 2 });
    expect(reads).toHaveLength(1);

    const page = (await api(replica, 'GET', '/v1/inbox?userId=nv-an')).body as unknown as InboxPage;
    expect(page.items.map((i) => [i.id, i.read])).toEqual([
      [ids[2], false],
      [ids[1], false],
      [ids[0], true],
    ]);

    const all = await api(replica, 'POST', '/v1/inbox/read-all?userId=nv-an');
    expect(all).toEqual({ status: 200, body: { read: 2, unread: 0 } });
    expect(reads.map((r) => r.messageId)).toEqual([messages[0]?.id, messages[1]?.id, messages[2]?.id]);
    expect((await api(replica, 'POST', '/v1/inbox/read-all?userId=nv-an')).body).toEqual({ read: 0, unread: 0 });
    expect(reads).toHaveLength(3);

    expect((await api(replica, 'POST', `/v1/inbox/1-0/read?userId=nv-an`)).status).toBe(404);
    expect((await api(replica, 'POST', `/v1/inbox/not-an-id/read?userId=nv-an`)).status).toBe(400);
    // Another user's item is not found for this user.
    const theirs = await replica.sender.send(inappMessage('tt-binh'));
    expect((await api(replica, 'POST', `/v1/inbox/${theirs.providerMessageId}/read?userId=nv-an`)).status).toBe(404);
  });

  it('when the read status cannot be recorded, then 503 and the item stays unread so the next read records it', async () => {
    const replica = await startReplica();
    const message = inappMessage('nv-an');
    const { providerMessageId } = await replica.sender.send(message);
    onRead = () => Promise.reject(new Error('status topic unavailable'));

    const failed = await api(replica, 'POST', `/v1/inbox/${providerMessageId}/read?userId=nv-an`);
    expect(failed.status).toBe(503);
    expect((await api(replica, 'GET', '/v1/inbox?userId=nv-an')).body.unread).toBe(1);
    expect((await api(replica, 'POST', '/v1/inbox/read-all?userId=nv-an')).status).toBe(503);
    expect((await api(replica, 'GET', '/v1/inbox?userId=nv-an')).body.unread).toBe(1);

    onRead = (receipt) => {
      reads.push(receipt);
    };
    const ok = await api(replica, 'POST', `/v1/inbox/${providerMessageId}/read?userId=nv-an`);
    expect(ok.body).toMatchObject({ changed: true, unread: 0 });
    expect(reads.map((r) => r.messageId)).toEqual([message.id]);
  });

  it('when a request has no key or an unknown key, then 401; a key without notifications:read gets 403; a missing userId gets 400', async () => {
    const replica = await startReplica();
    for (const path of ['/v1/inbox?userId=nv-an', '/v1/inbox/stream?userId=nv-an']) {
      expect((await api(replica, 'GET', path, null)).status).toBe(401);
      expect((await api(replica, 'GET', path, 'gw_unknown')).status).toBe(401);
      expect((await api(replica, 'GET', path, keys.writer)).status).toBe(403);
      expect((await api(replica, 'GET', path, keys.other)).status).toBe(403);
    }
    expect((await api(replica, 'POST', '/v1/inbox/read-all?userId=nv-an', null)).status).toBe(401);
    expect((await api(replica, 'POST', '/v1/inbox/1-0/read?userId=nv-an', keys.writer)).status).toBe(403);
    expect((await api(replica, 'GET', '/v1/inbox?userId=nv-an', keys.admin)).status).toBe(200);
    const missing = await api(replica, 'GET', '/v1/inbox');
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([expect.objectContaining({ path: 'query.userId' })]);
    const refused = await connectSse(`${replica.http.url}/v1/inbox/stream?userId=nv-an`);
    clients.push(refused);
    expect(refused.status).toBe(401);
    expect(refused.headers['content-type']).toContain('application/problem+json');
  });

  it('when a stream is idle, then heartbeat comments keep it open; when the client leaves, then its subscription is released', async () => {
    const replica = await startReplica({ heartbeatMs: 50 });
    const client = await stream(replica, 'nv-an');
    expect(await client.waitForComment(2000)).toBe('ping');
    const channel = `${prefix}inbox:{nv-an}:live`;
    const subscribers = async () => ((await admin.pubsub('NUMSUB', channel)) as [string, number])[1];
    expect(await subscribers()).toBe(1);
    client.close();
    await waitFor(async () => (await subscribers()) === 0, { timeoutMs: 5000, intervalMs: 20, message: 'subscription released' });
  });

  it('when a user has more items than kept, then the oldest are dropped with their unread state', async () => {
    const replica = await startReplica({ maxItemsPerUser: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await replica.sender.send(inappMessage('nv-an'))).providerMessageId ?? '');
    const page = (await api(replica, 'GET', '/v1/inbox?userId=nv-an')).body as unknown as InboxPage;
    expect(page.items.map((i) => i.id)).toEqual([ids[4], ids[3], ids[2]]);
    expect(page.unread).toBe(3);
  });

  it('when the recipient has no user id, then the inbox sender fails permanently', async () => {
    const replica = await startReplica();
    await expect(replica.sender.send(inappMessage(undefined))).rejects.toMatchObject({ errorClass: 'permanent', details: { provider: 'inbox', code: 'no-user-id' } });
    await expect(replica.sender.send(inappMessage(undefined))).rejects.toBeInstanceOf(ProviderError);
  });
});
