import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { startLocalRedis, type LocalRedis } from '@gateway/infra';

/*
 * Helpers for the directory's tests (not a *.test.ts, so jest runs it only through them).
 * Each test file gets its own redis-server on a free port: never the shared one, never 6379.
 */

export interface TestRedis {
  server: LocalRedis;
  client: Redis;
  /** A key prefix no other test uses, so tests never see each other's data. */
  prefix(label?: string): string;
  /** Calls per command since the last reset, from INFO commandstats: proves bulk reads stay bulk. */
  commandCalls(): Promise<Record<string, number>>;
  resetStats(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestRedis(): Promise<TestRedis> {
  const server = await startLocalRedis();
  const client = new Redis(server.url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await client.connect();
  } catch (err) {
    await server.stop();
    throw err;
  }
  let stopping: Promise<void> | undefined;
  return {
    server,
    client,
    prefix: (label = 'dir') => `test:${label}:${crypto.randomBytes(6).toString('hex')}:`,
    async commandCalls() {
      const info = await client.info('commandstats');
      const calls: Record<string, number> = {};
      for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
        if (match[1] !== undefined) calls[match[1]] = Number(match[2]);
      }
      return calls;
    },
    async resetStats() {
      await client.config('RESETSTAT');
    },
    stop() {
      // Each step runs even if the one before failed, and a second call waits on the first.
      stopping ??= (async () => {
        await client.quit().catch(() => client.disconnect());
        await server.stop();
      })();
      return stopping;
    },
  };
}
