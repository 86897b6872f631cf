/**
 * npm run bench:pipeline [-- --scenario burst|rate|big|all --procs 1|2|3 --layout 'intake,renderer,sms;email;email']
 * Notifications per second from the intake to loopback providers (a Twilio-speaking HTTP server
 * and an SMTP server, in their own process), with latency from the intake's 202 to the provider
 * accepting each message:
 *   burst: 200 meeting invitations × 50 recipients on SMS + email (20,000 messages), posted at once;
 *   rate:  the same load offered at 1,000 notifications/s (10 events/s);
 *   big:   one 10,000-person invitation (a directory group) on SMS + email.
 * The gateway runs as it would in production (intake, renderer, SMS and email workers; one
 * process; --procs 2: intake+renderer+SMS and email; --procs 3: intake+renderer, SMS, email), on
 * a real Kafka and Redis. --layout names each process's services instead (';' between processes),
 * e.g. two email replicas: exactly one process runs the intake.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createKafkaBus } from '@gateway/bus';
import { Redis } from 'ioredis';
import { allTopics, loadExample, withPrefix } from '@gateway/contracts';
import { createLogger, generateKey, hashKey } from '@gateway/common';
import { cpuSecondsOf, freePort, provideKafka, provideRedis } from '@gateway/infra';
import { createRedisDirectoryStore } from '@gateway/directory';
import { messageIdFor } from '@gateway/renderer';
import { chooseServices } from '@gateway/gateway';

interface Received {
  channel: 'sms' | 'email';
  id: string;
  at: number;
}

const ROOT = resolve(__dirname, '../..');

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;

/**
 * --layout: each process's services as the gateway will read them (its own GATEWAY_SERVICES check),
 * none empty, exactly one intake (it has the one port); checked before Kafka and Redis start.
 */
function checkedLayout(layout: string): string[] {
  const processes = layout.split(';').map((p) => p.trim());
  const problems: string[] = [];
  let intakes = 0;
  processes.forEach((services, i) => {
    if (!services) problems.push(`process ${i + 1} names no service`);
    else {
      try {
        if (chooseServices({ GATEWAY_SERVICES: services }).includes('intake')) intakes++;
      } catch (err) {
        problems.push(`process ${i + 1}: ${(err as Error).message}`);
      }
    }
  });
  if (intakes !== 1) problems.push(`exactly one process must run the intake, not ${intakes}`);
  if (problems.length) throw new Error(`--layout "${layout}": ${problems.join('; ')}`);
  return processes;
}

async function main() {
  const { values } = parseArgs({ options: { scenario: { type: 'string', default: 'all' }, procs: { type: 'string', default: '1' }, events: { type: 'string', default: '200' }, recipients: { type: 'string', default: '50' }, big: { type: 'string', default: '10000' }, layout: { type: 'string' } } });
  const events = Number(values.events);
  // Where the services run: one process, or split so the email worker (the heaviest) has its own.
  const layouts = values.layout ? checkedLayout(values.layout) : values.procs === '3' ? ['intake,renderer', 'sms', 'email'] : values.procs === '2' ? ['intake,renderer,sms', 'email'] : ['intake,renderer,sms,email'];
  const recipients = Number(values.recipients);
  console.log(`bench:pipeline — ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, gateway in ${values.layout ? `processes ${values.layout}` : `${values.procs} process(es)`}`);
  const [kafka, redisInfra] = await Promise.all([provideKafka(process.env), provideRedis(process.env)]);
  const prefix = `bench-pipe-${Date.now()}`;
  const topics = withPrefix(prefix);
  const admin = createKafkaBus({ clientId: 'bench', brokers: kafka.brokers }, createLogger({ name: 'bench', level: 'silent' })).admin();
  await admin.connect();
  await admin.createTopics(allTopics(topics).map((topic) => ({ topic, partitions: 12 })));
  const dir = mkdtempSync(join(tmpdir(), 'gateway-bench-pipeline-'));
  const key = generateKey();
  writeFileSync(join(dir, 'keys.json'), JSON.stringify({ keys: [{ name: 'bench', sha256: hashKey(key), scopes: ['admin'] }] }));

  const received = new Map<string, Received>();
  let duplicates = 0;
  // Counted as they arrive (not by scanning every expected id on each check: the harness shares
  // the two cores with the gateway and should cost it as little as possible).
  let delivered = 0;
  const expectedIds = new Set<string>();
  const sinks = fork(resolve(__dirname, 'sinks.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ports = await new Promise<{ twilioPort: number; smtpPort: number }>((res) => sinks.once('message', (m) => res(m as { twilioPort: number; smtpPort: number })));
  sinks.on('message', (m: { type: string; items?: Received[] }) => {
    if (m.type !== 'batch' || !m.items) return;
    for (const r of m.items) {
      const k = `${r.channel}:${r.id}`;
      if (received.has(k)) duplicates++;
      else {
        received.set(k, r);
        if (expectedIds.has(k)) delivered++;
      }
    }
  });

  const intakePort = await freePort();
  const base = {
    ...process.env,
    KAFKA_BROKERS: kafka.brokers.join(','),
    REDIS_URL: redisInfra.url,
    REDIS_KEY_PREFIX: `${prefix}:`,
    TOPIC_PREFIX: prefix,
    KAFKA_CREATE_TOPICS: 'false',
    GATEWAY_KEYS_FILE: join(dir, 'keys.json'),
    LOG_LEVEL: 'warn',
    INTAKE_PORT: String(intakePort),
    RENDERER_PORT: '0',
    SMS_HTTP_PORT: '0',
    EMAIL_HTTP_PORT: '0',
    SMS_PROVIDERS: 'twilio',
    TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
    TWILIO_AUTH_TOKEN: 'bench-auth-token-0123456789',
    TWILIO_FROM: '+15005550006',
    TWILIO_BASE_URL: `http://127.0.0.1:${ports.twilioPort}`,
    TWILIO_STATUS_CALLBACK_URL: 'http://127.0.0.1:9/v1/callbacks/twilio',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(ports.smtpPort),
    EMAIL_FROM: 'Văn phòng Thành ủy <thongbao@danang.gov.vn>',
    SMS_RETRY_BASE_MS: '200',
    EMAIL_RETRY_BASE_MS: '200',
  };
  const gateways: ChildProcess[] = layouts.map((services) =>
    // BENCH_NODE_FLAGS adds node flags to each gateway process; BENCH_PROFILE=<dir> writes a V8 CPU profile of each there.
    spawn(process.execPath, [...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ') : []), ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${resolve(process.env.BENCH_PROFILE)}`] : []), '--import', 'tsx', join(ROOT, 'services/gateway/src/main.ts')], { env: { ...base, GATEWAY_SERVICES: services }, stdio: ['ignore', 'ignore', 'inherit'] }),
  );
  const url = `http://127.0.0.1:${intakePort}`;
  const redis = new Redis(redisInfra.url);
  try {
    for (let i = 0; ; i++) {
      if (await fetch(`${url}/readyz`).then((r) => r.ok, () => false)) break;
      if (i > 600) throw new Error('the gateway did not become ready in 60 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    process.stderr.write('  gateway ready\n');
    const template = loadExample('meeting-scheduled-hoi-nghi-bch') as { source: string; data: Record<string, unknown> };
    const people = (n: number, tag: string) =>
      Array.from({ length: n }, (_, i) => ({ id: `${tag}-${i}`, name: `Nguyễn Văn ${i}`, phone: `+8490${String(1_000_000 + i).slice(-7)}`, email: `cb${i}@danang.gov.vn`, channels: ['sms', 'email'] }));
    const accepted = new Map<string, number>();
    const post = async (eventId: string, participants: unknown[]) => {
      const body = JSON.stringify({ ...template, id: eventId, data: { ...template.data, meetingId: `m-${eventId}`, participants } });
      for (let tries = 1; ; tries++) {
        if (tries > 100) throw new Error(`intake kept refusing ${eventId}`);
        const res = await fetch(`${url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
        const answer = await res.text();
        if (res.status === 202) break;
        process.stderr.write(`  intake answered ${res.status}: ${answer.slice(0, 300)}\n`);
        if (res.status !== 503) throw new Error(`intake answered ${res.status}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      accepted.set(eventId, Date.now());
    };
    const expect = (eventId: string, ids: string[]) => {
      for (const pid of ids) for (const ch of ['sms', 'email'] as const) expectedIds.add(`${ch}:${messageIdFor(template.source, eventId, pid, ch)}`);
    };
    const waitAll = async (timeoutMs: number) => {
      const t0 = Date.now();
      let lastNote = t0;
      for (;;) {
        const got = delivered;
        if (got === expectedIds.size) return;
        if (Date.now() - t0 > timeoutMs) throw new Error(`timed out: ${got} of ${expectedIds.size} delivered (${received.size} received in all)`);
        if (Date.now() - lastNote > 5000) {
          lastNote = Date.now();
          process.stderr.write(`  … ${got} of ${expectedIds.size} delivered\n`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    // CPU the gateway processes (and the loopback providers) used during a scenario: on this
    // shared 2-core machine a steadier measure of the pipeline's cost than the wall time.
    const cpuNow = () => {
      const own = process.cpuUsage();
      return { harness: (own.user + own.system) / 1e6, each: gateways.map((g) => cpuSecondsOf(g.pid) ?? NaN), sinks: cpuSecondsOf(sinks.pid) ?? NaN, kafka: cpuSecondsOf(kafka.pid) ?? NaN, redis: cpuSecondsOf(redisInfra.pid) ?? NaN };
    };
    const report = (label: string, started: number, cpu0: ReturnType<typeof cpuNow>) => {
      const cpu1 = cpuNow();
      const lat: number[] = [];
      let last = 0;
      for (const id of expectedIds) {
        const r = received.get(id);
        if (!r) continue;
        last = Math.max(last, r.at);
        lat.push(r.at - (eventOf.get(id) ?? r.at));
      }
      lat.sort((a, b) => a - b);
      const wall = (last - started) / 1000;
      const byChannel = (['sms', 'email'] as const).map((ch) => {
        const ls: number[] = [];
        for (const id of expectedIds) if (id.startsWith(`${ch}:`)) {
          const r = received.get(id);
          if (r) ls.push(r.at - (eventOf.get(id) ?? r.at));
        }
        ls.sort((a, b) => a - b);
        return `${ch} p50 ${pct(ls, 50)} / p99 ${pct(ls, 99)} ms`;
      });
      const gatewayCpu = cpu1.each.reduce((sum, t, i) => sum + t - (cpu0.each[i] ?? NaN), 0);
      process.stderr.write(`  ${label}: ${byChannel.join('; ')}; CPU s: ${layouts.map((services, i) => `${services} ${((cpu1.each[i] ?? NaN) - (cpu0.each[i] ?? NaN)).toFixed(1)}`).join(', ')}, loopback providers ${(cpu1.sinks - cpu0.sinks).toFixed(1)}, Kafka broker ${(cpu1.kafka - cpu0.kafka).toFixed(1)}, Redis ${(cpu1.redis - cpu0.redis).toFixed(1)}, this harness ${(cpu1.harness - cpu0.harness).toFixed(1)}\n`);
      console.log(`| ${label} | ${expectedIds.size} | ${duplicates} | ${wall.toFixed(2)} | ${Math.round(expectedIds.size / wall).toLocaleString('en-US')} | ${pct(lat, 50)} | ${pct(lat, 95)} | ${pct(lat, 99)} | ${lat[lat.length - 1]} | ${gatewayCpu.toFixed(1)} | ${((gatewayCpu * 1000) / expectedIds.size).toFixed(2)} |`);
    };
    const eventOf = new Map<string, number>();
    // Latency is measured from the 202 of the message's own event.
    const bindLatency = (eventId: string, ids: string[]) => {
      const at = accepted.get(eventId) ?? Date.now();
      for (const pid of ids) for (const ch of ['sms', 'email'] as const) eventOf.set(`${ch}:${messageIdFor(template.source, eventId, pid, ch)}`, at);
    };
    const reset = () => {
      expectedIds.clear();
      delivered = 0;
      eventOf.clear();
      duplicates = 0;
    };

    // Warm-up: JIT, connections, consumer groups.
    for (let i = 0; i < 5; i++) {
      const ps = people(recipients, `w${i}`);
      expect(`${prefix}-warm-${i}`, ps.map((p) => p.id));
      await post(`${prefix}-warm-${i}`, ps);
    }
    await waitAll(120_000);
    reset();
    console.log('\n| scenario | messages | duplicates | wall s | msgs/s | p50 ms | p95 ms | p99 ms | max ms | gateway CPU s | CPU ms/msg |\n|---|---|---|---|---|---|---|---|---|---|---|');

    const runs = values.scenario === 'all' ? ['burst', 'rate', 'big'] : [String(values.scenario)];
    for (const scenario of runs) {
      if (scenario === 'burst' || scenario === 'rate') {
        const batch = Array.from({ length: events }, (_, i) => ({ id: `${prefix}-${scenario}-${i}`, ps: people(recipients, `${scenario}${i}`) }));
        for (const e of batch) expect(e.id, e.ps.map((p) => p.id));
        const cpu0 = cpuNow();
        const started = Date.now();
        if (scenario === 'burst') {
          let next = 0;
          await Promise.all(Array.from({ length: 64 }, async () => {
            while (next < batch.length) {
              const e = batch[next++] as (typeof batch)[number];
              await post(e.id, e.ps);
              bindLatency(e.id, e.ps.map((p) => p.id));
            }
          }));
        } else {
          // 10 events/s × 100 messages = 1,000 notifications/s offered, on a fixed schedule.
          await Promise.all(batch.map(async (e, i) => {
            await new Promise((r) => setTimeout(r, started + i * 100 - Date.now()));
            await post(e.id, e.ps);
            bindLatency(e.id, e.ps.map((p) => p.id));
          }));
        }
        await waitAll(180_000);
        report(scenario === 'burst' ? `burst ${events}×${recipients}×2` : `rate 1,000/s offered (${events} events)`, started, cpu0);
        reset();
      } else if (scenario === 'big') {
        const n = Number(values.big);
        const store = createRedisDirectoryStore(redis, { prefix: `${prefix}:dir:` });
        const ps = people(n, 'big').map((p) => ({ ...p, channels: ['sms', 'email'] as Array<'sms' | 'email'> }));
        await store.upsertPeople(ps);
        await store.upsertGroup({ id: 'toan-thanh-pho', name: 'Toàn thành phố', members: ps.map((p) => p.id), groups: [] });
        const id = `${prefix}-big`;
        expect(id, ps.map((p) => p.id));
        const cpu0 = cpuNow();
        const started = Date.now();
        await post(id, ['group:toan-thanh-pho']);
        bindLatency(id, ps.map((p) => p.id));
        await waitAll(180_000);
        report(`one invitation to ${n.toLocaleString('en-US')} people`, started, cpu0);
        reset();
      }
    }
  } finally {
    for (const g of gateways) g.kill('SIGTERM');
    const exited = Promise.all(gateways.map((g) => new Promise((r) => (g.exitCode !== null ? r(null) : g.once('exit', r)))));
    if ((await Promise.race([exited.then(() => 'ok'), new Promise((r) => setTimeout(() => r('late'), 20_000))])) === 'late') {
      console.error('the gateway did not stop within 20 s of SIGTERM; killing it');
      for (const g of gateways) g.kill('SIGKILL');
    }
    sinks.kill();
    redis.disconnect();
    await admin.disconnect();
    await Promise.all([kafka.stop(), redisInfra.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
