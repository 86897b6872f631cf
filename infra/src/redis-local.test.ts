import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { redisCommand, startLocalRedis } from './redis-local';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('a local redis-server', () => {
  it('when started, then it answers on a free loopback port without persistence, and stop() ends it', async () => {
    const redis = await startLocalRedis();
    try {
      expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
      expect(await redisCommand(redis.url, ['PING'])).toBe('PONG');
      expect(await redisCommand(redis.url, ['SET', 'greeting', 'xin chào'])).toBe('OK');
      expect(await redisCommand(redis.url, ['GET', 'greeting'])).toBe('xin chào');
      expect(await redisCommand(redis.url, ['CONFIG', 'GET', 'save'])).toEqual(['save', '']);
      expect(await redisCommand(redis.url, ['CONFIG', 'GET', 'appendonly'])).toEqual(['appendonly', 'no']);
    } finally {
      const stopping = redis.stop();
      expect(redis.stop()).toBe(stopping);
      await stopping;
    }
    expect(processAlive(redis.pid)).toBe(false);
  });

  it('when asked for AOF in a given dir, then it writes there and the dir is kept after stop()', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-redis-test-'));
    try {
      const redis = await startLocalRedis({ appendonly: true, dir });
      await redisCommand(redis.url, ['SET', 'k', 'v']);
      expect(await redisCommand(redis.url, ['CONFIG', 'GET', 'appendonly'])).toEqual(['appendonly', 'yes']);
      await redis.stop();
      expect(fs.readdirSync(dir).length).toBeGreaterThan(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when the requested port is already served by another Redis, then it fails instead of taking that one for its own', async () => {
    const other = await startLocalRedis();
    try {
      await expect(startLocalRedis({ port: other.port })).rejects.toThrow(/exited before it was ready/);
      expect(await redisCommand(other.url, ['PING'])).toBe('PONG');
    } finally {
      await other.stop();
    }
  });
});
