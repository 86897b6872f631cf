import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Router } from 'express';
import { Redis } from 'ioredis';
import type { InappMessage, PushMessage } from '@gateway/contracts';
import { createLogger, generateKey, hashKey, KeyRing, type Scope } from '@gateway/common';
import { redisUrl, uniqueName } from '@gateway/tests/support/infra';

export const silentLogger = createLogger({ name: 'push-test', level: 'silent' });

export interface TestKeys {
  ring: () => KeyRing;
  /** The agency web app: registers push subscriptions. */
  writer: string;
  /** The agency web app's inbox access. */
  reader: string;
  admin: string;
  /** A key for another purpose (directory sync): right key, wrong scope. */
  other: string;
}

export function testKeys(): TestKeys {
  const writer = generateKey();
  const reader = generateKey();
  const admin = generateKey();
  const other = generateKey();
  const entry = (name: string, key: string, scopes: Scope[]) => ({ name, sha256: hashKey(key), scopes });
  const ring = new KeyRing({
    keys: [entry('ung-dung-co-quan', writer, ['events:write']), entry('hop-thu', reader, ['notifications:read']), entry('quan-tri', admin, ['admin']), entry('danh-ba', other, ['directory:write'])],
  });
  return { ring: () => ring, writer, reader, admin, other };
}

/** Lazy: quitting a client still in its ready check leaves ioredis a 2 s timer that holds jest open. */
export function redisClient(): Redis {
  return new Redis(redisUrl(), { maxRetriesPerRequest: 2, lazyConnect: true });
}

/** Deletes every key under a test's prefix. */
export async function dropPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (found.length > 0) await redis.del(...found);
  } while (cursor !== '0');
}

export interface TestHttp {
  url: string;
  close(): Promise<void>;
}

/** The routers in a real HTTP server on a loopback port. */
export async function serve(...routers: Router[]): Promise<TestHttp> {
  const app = express();
  app.disable('x-powered-by');
  for (const router of routers) app.use(router);
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}

const common = () => ({
  id: `m-${uniqueName('msg').replace(/[^A-Za-z0-9-]/g, '')}`,
  eventId: 'evt-125-cv-tu',
  eventType: 'document.dispatched' as const,
  correlationId: 'corr-1',
  createdAt: '2025-09-29T08:00:00+07:00',
  urgency: 'thuong' as const,
  attempt: 1,
});

export function pushMessage(userId: string | undefined, overrides: Partial<PushMessage> = {}): PushMessage {
  return {
    ...common(),
    recipient: { id: 'nv-an', name: 'Nguyễn Văn An', ...(userId ? { userId } : {}) },
    channel: 'push',
    title: 'Văn bản đến: 125-CV/TU (Hỏa tốc)',
    body: 'Về việc chuẩn bị Hội nghị Ban Chấp hành Đảng bộ thành phố lần thứ 3. Hạn xử lý: 03/10/2025.',
    url: 'https://vanban.danang.gov.vn/vb/125',
    ...overrides,
  };
}

export function inappMessage(userId: string | undefined, overrides: Partial<InappMessage> = {}): InappMessage {
  return {
    ...common(),
    recipient: { id: 'nv-an', name: 'Nguyễn Văn An', ...(userId ? { userId } : {}) },
    channel: 'inapp',
    title: 'Giấy mời họp: Hội nghị Ban Chấp hành Đảng bộ thành phố lần thứ 3',
    body: 'Thời gian: 08 giờ 00, Thứ Hai, ngày 29/9/2025. Địa điểm: Hội trường Thành ủy, 08 Bạch Đằng.',
    url: 'https://lichhop.danang.gov.vn/hop/512',
    ...overrides,
  };
}

export { uniqueName };
