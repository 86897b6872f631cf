import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports';
import { dockerAvailable, provideKafka, provideRedis } from './provide';
import { redisCommand } from './redis-local';

describe('provideKafka / provideRedis', () => {
  it('when KAFKA_BROKERS is set, then that cluster is used as is and stop() leaves it alone', async () => {
    const kafka = await provideKafka({ KAFKA_BROKERS: ' kafka-1:9092, kafka-2:9092 ' });
    expect(kafka.kind).toBe('external');
    expect(kafka.brokers).toEqual(['kafka-1:9092', 'kafka-2:9092']);
    await expect(kafka.stop()).resolves.toBeUndefined();
  });

  it('when REDIS_URL is set, then that Redis is used as is and stop() leaves it alone', async () => {
    const redis = await provideRedis({ REDIS_URL: 'redis://cache.example:6380/2' });
    expect(redis.kind).toBe('external');
    expect(redis.url).toBe('redis://cache.example:6380/2');
    await expect(redis.stop()).resolves.toBeUndefined();
  });

  it('when nothing is set and containers are ruled out, then it starts a local redis-server', async () => {
    const redis = await provideRedis({ GATEWAY_TEST_INFRA: 'local' });
    try {
      expect(redis.kind).toBe('local');
      expect(await redisCommand(redis.url, ['PING'])).toBe('PONG');
    } finally {
      await redis.stop();
    }
  });

  it('when probing for Docker, then it says no for an engine that is not there', async () => {
    expect(typeof (await dockerAvailable({}))).toBe('boolean');
    expect(await dockerAvailable({ DOCKER_HOST: 'unix:///nonexistent/docker.sock' })).toBe(false);
    expect(await dockerAvailable({ DOCKER_HOST: `tcp://127.0.0.1:${await freePort()}` })).toBe(false);
  });

  it('when the Docker socket accepts but never answers, then the probe gives up and says no instead of hanging', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'silent-docker-'));
    const socketPath = path.join(dir, 'docker.sock');
    const held: net.Socket[] = [];
    const silent = net.createServer((socket) => void held.push(socket));
    await new Promise<void>((resolve) => silent.listen(socketPath, resolve));
    try {
      expect(await dockerAvailable({ DOCKER_HOST: `unix://${socketPath}` }, 200)).toBe(false);
      expect(held.length).toBe(1);
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
