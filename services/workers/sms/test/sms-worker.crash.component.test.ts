import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { BusPublisher as Producer } from '@gateway/bus';
import { guardChild } from '@gateway/infra';
import { waitFor } from '@gateway/tests/support/infra';
import { collectTopic, connectedProducer, produceMessages, smsMessage, statusesOf } from '@gateway/worker-core/test/support/kafka';
import { startLoopbackEsms, type LoopbackEsms } from './support/loopback-providers';
import { ESMS_CREDENTIALS, esmsEnv, smsTestBed, type SmsTestBed } from './support/harness';
import { loadSmsWorkerSettings } from '../src/settings';

jest.setTimeout(240_000);

const ROOT = resolve(__dirname, '../../../..');
const MAIN = resolve(__dirname, '../src/main.ts');

interface WorkerProcess {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | string | null>;
}

/** The SMS worker as its own process, started the way it runs in production (its main.ts). */
function spawnWorker(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const guard = guardChild(child, { graceMs: 2000 });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | string | null>((done) =>
    child.once('exit', (code, signal) => {
      guard.release();
      done(signal ?? code);
    }),
  );
  return { child, output, exited };
}

async function kill(worker: WorkerProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!worker || worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  worker.child.kill(signal);
  await worker.exited;
}

describe('SMS worker killed with SIGKILL in the middle of 1,000 messages', () => {
  let producer: Producer;
  let bed: SmsTestBed;
  let esms: LoopbackEsms;
  const workers: WorkerProcess[] = [];
  const stops: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    producer = await connectedProducer();
    bed = await smsTestBed('sms-sigkill', 3);
    esms = await startLoopbackEsms(ESMS_CREDENTIALS);
  });
  afterAll(async () => {
    for (const w of workers) await kill(w, 'SIGKILL');
    for (const stop of stops) await stop().catch(() => undefined);
    await esms?.close();
    await producer?.disconnect();
  });

  it('when the worker is killed and restarted, then every message is delivered and none twice', async () => {
    const statuses = await collectTopic(bed.topics.status);
    stops.push(statuses.stop);
    const env = bed.env({
      SMS_PROVIDERS: 'esms',
      ...esmsEnv(esms.url),
      // Slow enough that the kill lands in the middle, fast enough for a test.
      ESMS_RATE_LIMIT_PER_SECOND: '250',
      ESMS_RATE_LIMIT_BURST: '5',
      CLAIM_LEASE_MS: '11000',
      SEND_TIMEOUT_MS: '6000',
      ESMS_TIMEOUT_MS: '3000',
      RATE_LIMIT_MAX_WAIT_MS: '2500',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      LOG_LEVEL: 'warn',
    });
    const messages = Array.from({ length: 1000 }, (_, i) => smsMessage(bed.prefix, i));
    await produceMessages(producer, bed.topics.sms, messages);

    const first = spawnWorker(env);
    workers.push(first);
    await waitFor(() => esms.accepted.length >= 250, { timeoutMs: 90_000, intervalMs: 20, message: `first 250 accepted (worker output: ${first.output.join('').slice(-2000)})` });
    await kill(first, 'SIGKILL');
    const acceptedAtKill = esms.accepted.length;
    expect(acceptedAtKill).toBeLessThan(messages.length);

    const second = spawnWorker(env);
    workers.push(second);
    await waitFor(() => messages.every((m) => esms.acceptedCount(m.id) >= 1), {
      timeoutMs: 150_000,
      intervalMs: 250,
      message: `every message accepted after the restart (${esms.accepted.length} so far; worker output: ${second.output.join('').slice(-2000)})`,
    });
    await waitFor(() => new Set(statusesOf(statuses.records).filter((s) => s.status === 'sent').map((s) => s.messageId)).size === messages.length, { timeoutMs: 60_000, message: 'a sent status for every message' });

    // Delivered: once each at the provider, which is what reaches a phone.
    expect(esms.duplicates()).toEqual([]);
    expect(esms.accepted.length).toBe(messages.length);
    // Requests that came twice are the documented window (accepted, killed before the `sent` mark);
    // the RequestId closed it. They are at most what was in flight at the kill.
    const resent = messages.filter((m) => esms.requestCount(m.id) > 1).length;
    expect(resent).toBe(esms.deduplicated);
    // What one replica can have in flight, with the settings the worker read from this env.
    const { core } = loadSmsWorkerSettings(env);
    expect(resent).toBeLessThanOrEqual(core.partitionsConcurrently * core.concurrency);
    console.log(`[sigkill] accepted before the kill: ${acceptedAtKill}; requests repeated after the restart: ${resent} (deduplicated by RequestId)`);

    await kill(second, 'SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
