/**
 * A consumer crash kafkajs does not recover from (here: the topics deleted under the running
 * services, which kafkajs answers with restarts that never get back into the group) must not leave
 * a process up and doing nothing: every service's readyz fails, its `failed` resolves, and a
 * service's own main exits non-zero so that a supervisor restarts it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from '@gateway/kafkajs';
import { generateVapidKeys } from '@gateway/worker-push';
import { createKey } from '@gateway/common';
import { kafkaBrokers, redisUrl, uniqueName, waitFor } from '@gateway/tests/support/infra';
import { startServices, stopServices, type RunningService } from '../src/main';
import { createDevSinks } from '../src/dev-sinks';

jest.setTimeout(180_000);
const ROOT = resolve(__dirname, '../../..');

function settingsFor(prefix: string): Record<string, string> {
  const keysFile = join(mkdtempSync(join(tmpdir(), 'gw-crash-')), 'keys.json');
  createKey(keysFile, 'crash-test', ['admin']);
  const vapid = generateVapidKeys();
  return {
    KAFKA_BROKERS: kafkaBrokers().join(','),
    REDIS_URL: redisUrl(),
    REDIS_KEY_PREFIX: `${prefix}:`,
    TOPIC_PREFIX: prefix,
    TOPIC_PARTITIONS: '2',
    GATEWAY_KEYS_FILE: keysFile,
    RENDERER_PORT: '0',
    OPERATOR_PORT: '0',
    PUSH_PORT: '0',
    WEB_PUSH_VAPID_PUBLIC_KEY: vapid.publicKey,
    WEB_PUSH_VAPID_PRIVATE_KEY: vapid.privateKey,
    WEB_PUSH_VAPID_SUBJECT: 'mailto:quantri@localhost',
    LOG_LEVEL: 'silent',
  };
}

async function deleteTopicsOf(prefix: string): Promise<void> {
  const admin = new Kafka({ clientId: 'crash-test-admin', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: (await admin.listTopics()).filter((t) => t.startsWith(prefix)) });
  } finally {
    await admin.disconnect();
  }
}

const readyz = async (url: string) => (await fetch(`${url}/readyz`)).status;

describe('services whose consumers stop for good', () => {
  let running: RunningService[] = [];
  afterAll(async () => {
    await stopServices(running);
  });

  it('when the topics are deleted under the renderer, the operator and the channel workers, then each one is not ready and reports it failed', async () => {
    const prefix = `${uniqueName('crash')}.`;
    running = await startServices(['renderer', 'operator', 'sms', 'email', 'push'], settingsFor(prefix), { sinks: createDevSinks(), devPush: true });
    const withUrl = running.filter((s) => s.url);
    expect(withUrl.map((s) => s.name).sort()).toEqual(['operator', 'push', 'renderer']);
    for (const s of withUrl) await waitFor(async () => (await readyz(s.url as string)) === 200, { timeoutMs: 60_000, message: `${s.name} ready` });

    await deleteTopicsOf(prefix);
    const failures = await Promise.all(running.map(async (s) => [s.name, (await s.failed)?.message] as const));
    for (const [name, message] of failures) expect([name, message]).toEqual([name, expect.stringMatching(/stopped for good/)]);
    for (const s of withUrl) expect([s.name, await readyz(s.url as string)]).toEqual([s.name, 503]);
  });
});

describe("a service's own main (runMain)", () => {
  it('when its consumer stops for good, then the process exits with code 1 and says why', async () => {
    const prefix = `${uniqueName('crash-main')}.`;
    const child = spawn(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'services/renderer/src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, ...settingsFor(prefix), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await waitFor(() => /"url":"(http:[^"]+)"/.test(out), { timeoutMs: 60_000, message: `renderer listening:\n${out}` });
      const url = /"url":"(http:[^"]+)"/.exec(out)?.[1] ?? '';
      await waitFor(async () => (await readyz(url)) === 200, { timeoutMs: 60_000, message: 'renderer ready' });
      await deleteTopicsOf(prefix);
      expect(await exited).toBe(1);
      expect(out).toMatch(/renderer: events consumer stopped for good: .*exiting with code 1/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
