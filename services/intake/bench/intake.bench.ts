/**
 * npm run bench:intake [-- --connections 64 --duration 20]
 * Accepted events per second and latency at a fixed concurrency, against a real broker and Redis
 * (local processes unless KAFKA_BROKERS / REDIS_URL are set). The intake runs in its own process
 * so the load generator does not share its event loop.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { createKafkaBus, type BusAdmin } from '@gateway/bus';
import { EXAMPLE_NAMES, loadExample } from '@gateway/contracts';
import { cpuSecondsOf, cpuSecondsOfTree, freePort, provideKafka, provideRedis } from '@gateway/infra';
import { ANY_SOURCE, createKey, createLogger } from '@gateway/common';

async function main() {
  const { values } = parseArgs({ options: { workers: { type: 'string', default: '1' }, connections: { type: 'string', default: '64' }, duration: { type: 'string', default: '20' }, warmup: { type: 'string', default: '5' } } });
  const connections = Number(values.connections);
  const duration = Number(values.duration);
  console.log(`bench:intake — ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
  const [kafka, redis] = await Promise.all([provideKafka(process.env), provideRedis(process.env)]);
  console.log(`Kafka: ${kafka.kind} ${kafka.brokers.join(',')}   Redis: ${redis.kind} ${redis.url}`);
  const dir = mkdtempSync(join(tmpdir(), 'gateway-bench-intake-'));
  const topic = `bench-intake-${Date.now()}`;
  const admin = createKafkaBus({ clientId: 'bench', brokers: kafka.brokers }, createLogger({ name: 'bench', level: 'silent' })).admin();
  await admin.connect();
  await admin.createTopics([{ topic, partitions: 12 }]);
  const keysFile = join(dir, 'keys.json');
  const key = createKey(keysFile, 'bench', ['events:write'], { sources: [ANY_SOURCE] });
  const port = await freePort();
  // BENCH_PROFILE=<dir> writes a V8 CPU profile of the intake process there.
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${resolve(process.env.BENCH_PROFILE)}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', resolve(__dirname, '../src/main.ts')], {
    env: { ...process.env, INTAKE_PORT: String(port), KAFKA_BROKERS: kafka.brokers.join(','), REDIS_URL: redis.url, GATEWAY_KEYS_FILE: keysFile, EVENTS_TOPIC: topic, LOG_LEVEL: 'warn', INTAKE_WORKERS: values.workers, REDIS_KEY_PREFIX: `${topic}:` },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      const ok = await fetch(`${url}/readyz`).then((r) => r.ok).catch(() => false);
      if (ok) break;
      if (i > 600) throw new Error('intake did not become ready in 60 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    // The six example events in turn (invitation, change, cancellation, hỏa tốc, mật, recall): the
    // mix a city office sends, 0.9–3 KB each. Ids and partition keys are spliced into
    // pre-serialized JSON so the load generator takes little of the shared CPU.
    const shapes = EXAMPLE_NAMES.map((name) => {
      const example = loadExample(name) as Record<string, unknown> & { data: Record<string, unknown> };
      const keyField = 'meetingId' in example.data ? 'meetingId' : 'documentId';
      const shaped = JSON.stringify({ ...example, id: '@@ID@@', data: { ...example.data, [keyField]: '@@KEY@@' } });
      const [head = '', rest = ''] = shaped.split('@@ID@@');
      const [middle = '', tail = ''] = rest.split('@@KEY@@');
      return { head, middle, tail };
    });
    let n = 0;
    const run = (seconds: number, label: string) =>
      autocannon({
        url: `${url}/v1/events`,
        connections,
        duration: seconds,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        requests: [
          {
            setupRequest: (req) => {
              n++;
              // A distinct id and key per request: every event is new and spreads over partitions.
              const shape = shapes[n % shapes.length] as (typeof shapes)[number];
              return { ...req, body: `${shape.head}${label}-${n}${shape.middle}bench-${n % 5000}${shape.tail}` };
            },
          },
        ],
      });
    if (Number(values.warmup) > 0) await run(Number(values.warmup), 'warmup');
    const before = await sumOffsets(admin, topic);
    const cpu0 = { intake: cpuSecondsOfTree(child.pid), broker: cpuSecondsOf(kafka.pid), own: process.cpuUsage() };
    const result = await run(duration, 'bench');
    const cpu1 = { intake: cpuSecondsOfTree(child.pid), broker: cpuSecondsOf(kafka.pid), own: process.cpuUsage(cpu0.own) };
    const after = await sumOffsets(admin, topic);
    const accepted = result['2xx'];
    const rows = [
      ['intake processes', String(values.workers)],
      ['connections', String(connections)],
      ['duration (s)', String(duration)],
      ['events accepted (202)', String(accepted)],
      ['non-2xx / errors / timeouts', `${result.non2xx} / ${result.errors} / ${result.timeouts}`],
      ['records written to Kafka', String(after - before)],
      ['accepted events/s', (accepted / duration).toFixed(0)],
      ['latency p50 (ms)', String(result.latency.p50)],
      ['latency p90 (ms)', String(result.latency.p90)],
      ['latency p99 (ms)', String(result.latency.p99)],
      ['latency max (ms)', String(result.latency.max)],
      // CPU during the measured run: steadier than events/s on a shared 2-core VM, where the load
      // generator (this process), the intake and the broker take turns on the same cores.
      ['intake CPU (s) / per event (ms)', cpu0.intake === undefined || cpu1.intake === undefined ? '–' : `${(cpu1.intake - cpu0.intake).toFixed(1)} / ${(((cpu1.intake - cpu0.intake) * 1000) / Math.max(1, accepted)).toFixed(3)}`],
      ['Kafka broker CPU (s)', cpu0.broker === undefined || cpu1.broker === undefined ? '–' : (cpu1.broker - cpu0.broker).toFixed(1)],
      ['load generator CPU (s)', ((cpu1.own.user + cpu1.own.system) / 1e6).toFixed(1)],
    ];
    console.log('\n| measure | value |\n|---|---|');
    for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
    if (after - before < accepted) throw new Error(`only ${after - before} records for ${accepted} accepted events`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await admin.disconnect();
    await Promise.all([kafka.stop(), redis.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function sumOffsets(admin: BusAdmin, topic: string): Promise<number> {
  const offsets = await admin.topicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high), 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
