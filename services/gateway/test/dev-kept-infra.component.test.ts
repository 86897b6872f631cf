/**
 * `npm start` on Kafka and Redis with one of them missing: the local broker or redis-server it
 * starts keeps its data in the state dir across restarts (the README calls this mode durable).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { kafkaBrokers, redisUrl, uniqueName, waitFor } from '@gateway/tests/support/infra';
import { localInfraDirs, startDevGateway, type DevGateway } from '../src/dev';

jest.setTimeout(240_000);
const ROOT = resolve(__dirname, '../../..');
const PORTS = { INTAKE_PORT: '0', RENDERER_PORT: '0', OPERATOR_PORT: '0', SMS_HTTP_PORT: '0', PUSH_PORT: '0', EMAIL_HTTP_PORT: '0' };

function baseEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...PORTS, TOPIC_PARTITIONS: '2', ...overrides };
  for (const name of ['KAFKA_BROKERS', 'REDIS_URL', 'GATEWAY_KEYS_FILE', 'GATEWAY_SERVICES', 'SMS_PROVIDERS', 'SMTP_HOST', 'WEB_PUSH_VAPID_PUBLIC_KEY']) {
    if (!(name in overrides)) delete env[name];
  }
  return env;
}

/** An invitation to `count` people reached by SMS only. */
function smsOnlyEvent(id: string, count: number): string {
  const example = JSON.parse(readFileSync(join(ROOT, 'contracts/examples/meeting-scheduled-hoi-nghi-bch.json'), 'utf8')) as Record<string, unknown> & { data: Record<string, unknown> };
  const participants = Array.from({ length: count }, (_, i) => ({ id: `kept-${i}`, name: `Người nhận ${i}`, phone: `+8490512${String(1000 + i)}`, channels: ['sms'] }));
  return JSON.stringify({ ...example, id, data: { ...example.data, meetingId: `${id}-hop`, participants } });
}

async function post(gateway: DevGateway, body: string): Promise<Response> {
  return fetch(`${gateway.url('intake')}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${gateway.keys?.admin}`, 'content-type': 'application/json' }, body });
}

async function smsOnTopic(gateway: DevGateway): Promise<number> {
  const admin = gateway.bus.admin();
  await admin.connect();
  try {
    const offsets = await admin.topicOffsets(gateway.topics.sms);
    return offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}

describe('npm start with REDIS_URL set and no KAFKA_BROKERS (a local broker)', () => {
  let gateway: DevGateway | undefined;
  afterEach(async () => {
    await gateway?.stop();
  });

  it('when SMS wait for a worker and the gateway restarts, then they are still on the broker and are delivered once the SMS worker runs', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'gw-kept-kafka-'));
    const env = { REDIS_URL: redisUrl(), REDIS_KEY_PREFIX: `${uniqueName('kept')}:` };
    const lines: string[] = [];
    // No SMS worker: the SMS wait on their topic.
    gateway = await startDevGateway(baseEnv({ ...env, GATEWAY_SERVICES: 'intake,renderer,operator' }), (line) => lines.push(line), { stateDir });
    expect(lines.join('\n')).toContain(localInfraDirs(stateDir).kafka);
    const eventId = uniqueName('kept-sms');
    expect((await post(gateway, smsOnlyEvent(eventId, 12))).status).toBe(202);
    const first = gateway;
    await waitFor(async () => (await smsOnTopic(first)) === 12, { timeoutMs: 60_000, message: '12 SMS on the sms topic' });
    await gateway.stop();
    gateway = undefined;
    expect(existsSync(join(localInfraDirs(stateDir).kafka, 'data', 'meta.properties'))).toBe(true);

    // Started again, now with the SMS worker (no provider: the development sink).
    gateway = await startDevGateway(baseEnv({ ...env, GATEWAY_SERVICES: 'intake,renderer,operator,sms' }), () => undefined, { stateDir });
    expect(await smsOnTopic(gateway)).toBe(12);
    const outbox = gateway.sinks?.outbox;
    if (!outbox) throw new Error('no provider configured: the SMS go to the development sink');
    await waitFor(() => outbox.sms(1000).filter((m) => m.eventId === eventId).length === 12, { timeoutMs: 60_000, message: 'the 12 kept SMS delivered after the restart' });
    await gateway.stop();

    // --fresh starts empty.
    gateway = await startDevGateway(baseEnv({ ...env, GATEWAY_SERVICES: 'intake,renderer,operator' }), () => undefined, { stateDir, fresh: true });
    expect(await smsOnTopic(gateway)).toBe(0);
  });
});

describe('npm start with KAFKA_BROKERS set and no REDIS_URL (a local redis-server)', () => {
  let gateway: DevGateway | undefined;
  afterEach(async () => {
    await gateway?.stop();
  });

  it('when a sending system retries an event after the gateway restarted, then the retry is answered Idempotent-Replayed and nothing is sent again', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'gw-kept-redis-'));
    const env = baseEnv({ KAFKA_BROKERS: kafkaBrokers().join(','), TOPIC_PREFIX: `${uniqueName('kept')}.` });
    const lines: string[] = [];
    gateway = await startDevGateway(env, (line) => lines.push(line), { stateDir });
    expect(lines.join('\n')).toContain(localInfraDirs(stateDir).redis);
    const eventId = uniqueName('kept-retry');
    const body = smsOnlyEvent(eventId, 3);
    const accepted = await post(gateway, body);
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get('idempotent-replayed')).toBeNull();
    // A Kafka npm start did not start gets no development sinks: the 3 SMS wait on their topic.
    const running = gateway;
    await waitFor(async () => (await smsOnTopic(running)) === 3, { timeoutMs: 60_000, message: 'the 3 SMS rendered' });
    await gateway.stop();

    gateway = await startDevGateway(env, () => undefined, { stateDir });
    const retry = await post(gateway, body);
    expect(retry.status).toBe(202);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
  });
});

describe('npm start with KAFKA_BROKERS and REDIS_URL set (infrastructure it did not start)', () => {
  let gateway: DevGateway | undefined;
  afterEach(async () => {
    await gateway?.stop();
  });

  it('when no provider is configured, then no development sink joins that cluster, and it says which workers it did not start and why', async () => {
    const prefix = `${uniqueName('shared')}.`;
    const env = baseEnv({ KAFKA_BROKERS: kafkaBrokers().join(','), REDIS_URL: redisUrl(), REDIS_KEY_PREFIX: `${prefix}:`, TOPIC_PREFIX: prefix, GATEWAY_KEYS_FILE: join(mkdtempSync(join(tmpdir(), 'gw-shared-')), 'keys.json') });
    const lines: string[] = [];
    gateway = await startDevGateway(env, (line) => lines.push(line), { stateDir: mkdtempSync(join(tmpdir(), 'gw-shared-state-')) });
    // Real workers of that cluster may share the channel groups: a sink would take their partitions.
    expect(gateway.services.map((s) => s.name).sort()).toEqual(['intake', 'operator', 'renderer']);
    expect(gateway.sinks).toBeUndefined();
    expect(gateway.devChannels).toEqual([]);
    expect(lines.join('\n')).toMatch(/Not started: the sms, email, push workers \(no provider configured;/);
  });
});
