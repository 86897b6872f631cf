/**
 * npm run bench:render
 * (1) Rendered messages per second on one core (render only, no I/O), per example event.
 * (2) A 10,000-participant meeting (one directory group) × 3 channels (SMS, email, in-app): the
 *     time from producing the event to every channel message acknowledged by Kafka, through the
 *     real renderer service, broker and Redis (local processes unless KAFKA_BROKERS/REDIS_URL).
 */
import { resolve } from 'node:path';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafkaBus } from '@gateway/bus';
import { Redis } from 'ioredis';
import { allTopics, loadExample, withPrefix, type ExampleName } from '@gateway/contracts';
import { createLogger } from '@gateway/common';
import { cpuSecondsOf, provideKafka, provideRedis } from '@gateway/infra';
import { measureRenderThroughput } from './throughput';
import { createRedisDirectoryStore } from '@gateway/directory';
import { loadRendererSettings } from '../src/settings';
import { startRenderer } from '../src/main';

const TEMPLATES = resolve(__dirname, '../../../templates');
const AGENCY = { name: 'Văn phòng Thành ủy Đà Nẵng', emailFrom: 'thongbao@danang.gov.vn', calendarDomain: 'lichhop.danang.gov.vn' };

async function main() {
  const { values } = parseArgs({ options: { participants: { type: 'string', default: '10000' }, skipE2e: { type: 'boolean', default: false }, e2eOnly: { type: 'boolean', default: false }, runs: { type: 'string', default: '5' } } });
  const warmRuns = Math.max(1, Number(values.runs));
  const participants = Number(values.participants);
  console.log(`bench:render — ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}\n`);
  console.log('(1) Render only, one core, 10,000 recipients per event after a warm-up\n');
  console.log('| event | channels | messages | ms | messages/s |\n|---|---|---|---|---|');
  const cases: Array<[ExampleName, Array<'sms' | 'email' | 'push' | 'inapp'>]> = [
    ['meeting-scheduled-hoi-nghi-bch', ['sms', 'email', 'inapp']],
    ['meeting-updated-chuyen-chieu', ['sms', 'email', 'inapp']],
    ['document-dispatched-hoa-toc', ['sms', 'email', 'push', 'inapp']],
    ['document-dispatched-mat', ['sms', 'email', 'push', 'inapp']],
  ];
  for (const [example, channels] of values.e2eOnly ? [] : cases) {
    const r = measureRenderThroughput({ templatesDir: TEMPLATES, agency: AGENCY, example, recipients: 10_000, channels, warmupRecipients: 5_000 });
    console.log(`| ${example} | ${channels.join('+')} | ${r.messages} | ${r.ms.toFixed(0)} | ${Math.round(r.messagesPerSecond).toLocaleString('en-US')} |`);
  }
  if (values.skipE2e) return;

  console.log(`\n(2) ${participants.toLocaleString('en-US')} participants × 3 channels through Kafka (12 partitions) and the renderer service\n`);
    // BENCH_BROKER_LOG=<file> keeps every line the local broker prints (see the README's note on
  // a broker that died during this benchmark).
  const brokerLog = process.env.BENCH_BROKER_LOG;
  const [kafkaInfra, redisInfra] = await Promise.all([provideKafka(process.env, brokerLog ? { local: { logger: (line: string) => appendFileSync(brokerLog, `${line}\n`) } } : {}), provideRedis(process.env)]);
  let stopping = false;
  void kafkaInfra.exited?.then((how) => {
    if (!stopping) console.error(`[bench] the local broker exited during the run: ${how}`);
  });
  const prefix = `bench-render-${Date.now()}`;
  const topics = withPrefix(prefix);
  const kafka = createKafkaBus({ clientId: 'bench', brokers: kafkaInfra.brokers }, createLogger({ name: 'bench', level: 'silent' }));
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics(allTopics(topics).map((topic) => ({ topic, partitions: 12 })));
  const redis = new Redis(redisInfra.url);
  const dir = mkdtempSync(join(tmpdir(), 'gateway-bench-render-'));
  writeFileSync(join(dir, 'keys.json'), JSON.stringify({ keys: [] }));
  try {
    const store = createRedisDirectoryStore(redis, { prefix: `${prefix}:dir:` });
    const people = Array.from({ length: participants }, (_, i) => {
      const n = String(i).padStart(5, '0');
      return { id: `cb-${n}`, name: `Nguyễn Văn Thành ${n}`, title: 'Bí thư Đảng ủy', unit: `Đảng ủy phường ${n}`, phone: `+8490${String(1_000_000 + i).slice(-7)}`, email: `canbo${n}@danang.gov.vn`, userId: `u-${n}`, channels: ['sms', 'email', 'inapp'] as Array<'sms' | 'email' | 'inapp'> };
    });
    await store.upsertPeople(people);
    await store.upsertGroup({ id: 'toan-thanh-pho', name: 'Toàn thành phố', members: people.map((p) => p.id), groups: [] });

    const renderer = await startRenderer(
      loadRendererSettings({ RENDERER_PORT: '0', KAFKA_BROKERS: kafkaInfra.brokers.join(','), REDIS_URL: redisInfra.url, REDIS_KEY_PREFIX: `${prefix}:`, GATEWAY_KEYS_FILE: join(dir, 'keys.json'), TOPIC_PREFIX: prefix, KAFKA_CREATE_TOPICS: 'false', RENDERER_GROUP_ID: `${prefix}-g`, LOG_LEVEL: 'warn', RENDERER_COMPRESSION: process.env.RENDERER_COMPRESSION }),
      { logger: createLogger({ name: 'renderer', level: process.env.BENCH_LOG_LEVEL ?? 'warn' }) },
    );
    const producer = kafka.publisher();
    await producer.connect();
    const sum = async (topic: string) => (await admin.topicOffsets(topic)).reduce((s, p) => s + Number(p.high), 0);
    // Right after topic creation a partition's leader may still be moving: a retriable answer
    // (NOT_LEADER_FOR_PARTITION) is asked again, anything else ends the run.
    const offsetsNow = async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await Promise.all([topics.sms, topics.email, topics.inapp].map(sum));
        } catch (err) {
          if (attempt >= 20 || !(err as { retriable?: boolean }).retriable) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    const expected = participants;
    const run = async (n: number) => {
      const example = loadExample('meeting-scheduled-hoi-nghi-bch') as { data: Record<string, unknown> };
      const event = { ...example, id: `${prefix}-e${n}`, data: { ...example.data, meetingId: `${prefix}-m${n}`, participants: ['group:toan-thanh-pho'] } };
      const before = await offsetsNow();
      const cpu0 = process.cpuUsage();
      const broker0 = cpuSecondsOf(kafkaInfra.pid);
      const t0 = Date.now();
      await producer.publish([{ topic: topics.events, key: event.data.meetingId as string, value: JSON.stringify(event) }]);
      for (;;) {
        // A metadata hiccup while the broker is busy is not a result: ask again.
        const now = await Promise.all([topics.sms, topics.email, topics.inapp].map(sum)).catch(() => [0, 0, 0]);
        if (now.every((v, i) => v - (before[i] ?? 0) >= expected)) break;
        if (Date.now() - t0 > 120_000) throw new Error(`timed out: ${now.map((v, i) => v - (before[i] ?? 0)).join('/')} of ${expected}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const ms = Date.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const broker1 = cpuSecondsOf(kafkaInfra.pid);
      // This process is the renderer (its consumer, renderer and producer) plus the light polling above.
      return { ms, rendererCpuMs: (cpu.user + cpu.system) / 1000, brokerCpuMs: broker0 === undefined || broker1 === undefined ? NaN : (broker1 - broker0) * 1000 };
    };
    const cell = (v: number) => (Number.isNaN(v) ? '–' : Math.round(v).toLocaleString('en-US'));
    const row = (name: string, r: Awaited<ReturnType<typeof run>>) => console.log(`| ${name} | ${3 * expected} | ${r.ms.toLocaleString('en-US')} | ${cell(r.rendererCpuMs)} | ${cell(r.brokerCpuMs)} |`);
    console.log('| run | messages (3 channels) | event → all acknowledged (ms) | renderer CPU (ms) | broker CPU (ms) |\n|---|---|---|---|---|');
    row('cold (first event)', await run(0));
    const warm: Array<Awaited<ReturnType<typeof run>>> = [];
    for (let i = 1; i <= warmRuns; i++) {
      const r = await run(i);
      warm.push(r);
      row(`warm #${i}`, r);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    console.log(`| **median of ${warmRuns} warm** | ${3 * expected} | **${median(warm.map((r) => r.ms)).toLocaleString('en-US')}** | ${cell(median(warm.map((r) => r.rendererCpuMs)))} | ${cell(median(warm.map((r) => r.brokerCpuMs)))} |`);
    await producer.disconnect();
    await renderer.stop();
  } finally {
    stopping = true;
    await admin.disconnect();
    redis.disconnect();
    await Promise.all([kafkaInfra.stop(), redisInfra.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
