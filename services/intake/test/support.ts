import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKey, createLogger } from '@gateway/common';
import { startIntake, type RunningIntake } from '../src/main';
import { loadIntakeSettings } from '../src/settings';
import { waitFor } from '@gateway/tests/support/infra';

export interface TestIntake extends RunningIntake {
  keys: { writer: string; reader: string; admin: string };
  post(body: unknown, init?: { key?: string | null; headers?: Record<string, string>; raw?: string | Buffer }): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }>;
  cleanup(): Promise<void>;
}

/** The real intake, in-process on port 0, with its own keys file and the given broker and topic. */
export async function startTestIntake(options: { brokers: string[]; redisUrl: string; topic: string; redisPrefix: string; publishTimeoutMs?: number }): Promise<TestIntake> {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-intake-test-'));
  const keysFile = join(dir, 'keys.json');
  const keys = {
    writer: createKey(keysFile, 'van-phong-thanh-uy', ['events:write'], { sources: ['vpthanhuy-lichhop', 'vpthanhuy-vanban', 'he-thong-khac'] }),
    reader: createKey(keysFile, 'bao-cao', ['notifications:read']),
    admin: createKey(keysFile, 'quan-tri', ['admin']),
  };
  const settings = loadIntakeSettings({
    INTAKE_PORT: '0',
    KAFKA_BROKERS: options.brokers.join(','),
    REDIS_URL: options.redisUrl,
    REDIS_KEY_PREFIX: options.redisPrefix,
    GATEWAY_KEYS_FILE: keysFile,
    EVENTS_TOPIC: options.topic,
    TOPIC_PARTITIONS: '3',
    INTAKE_PUBLISH_TIMEOUT_MS: String(options.publishTimeoutMs ?? 5000),
    LOG_LEVEL: 'silent',
  });
  const intake = await startIntake(settings, { logger: createLogger({ name: 'intake-test', level: 'silent' }) });
  await waitFor(async () => (await fetch(`${intake.url}/readyz`)).ok, { timeoutMs: 30000 });
  return {
    ...intake,
    keys,
    async post(body, init = {}) {
      const key = init.key === undefined ? keys.writer : init.key;
      const headers: Record<string, string> = { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), ...init.headers };
      const res = await fetch(`${intake.url}/v1/events`, { method: 'POST', headers, body: init.raw ?? JSON.stringify(body) });
      const text = await res.text();
      let json: Record<string, unknown> = {};
      try {
        json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        json = { raw: text };
      }
      return { status: res.status, headers: res.headers, json };
    },
    async cleanup() {
      await intake.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
