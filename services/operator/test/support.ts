import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BusPublisher } from '@gateway/bus';
import { Redis } from 'ioredis';
import { withPrefix, type ChannelMessageInput, type DeliveryStatus, type Topics } from '@gateway/contracts';
import { createLogger, generateKey, hashKey, type DevOutbox } from '@gateway/common';
import { createTopics, kafkaBrokers, redisUrl, testBus, uniqueName } from '@gateway/tests/support/infra';
import { loadOperatorSettings } from '../src/settings';
import { startOperator, type RunningOperator } from '../src/main';

/** One key per role, written to a keys file the operator watches. */
export interface TestKeys {
  viewer: string;
  operator: string;
  admin: string;
  /** A sending system's key: no operator scope at all. */
  sender: string;
  dir: string;
}

export function writeKeys(): TestKeys {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-operator-test-'));
  const keys = { viewer: generateKey(), operator: generateKey(), admin: generateKey(), sender: generateKey(), dir };
  writeFileSync(
    join(dir, 'keys.json'),
    JSON.stringify({
      keys: [
        { name: 'xem', sha256: hashKey(keys.viewer), scopes: ['notifications:read'] },
        { name: 'van-thu', sha256: hashKey(keys.operator), scopes: ['notifications:read', 'notifications:resend'] },
        { name: 'quan-tri', sha256: hashKey(keys.admin), scopes: ['admin'] },
        { name: 'he-thong-hop', sha256: hashKey(keys.sender), scopes: ['events:write'] },
      ],
    }),
  );
  return keys;
}

export function removeKeys(keys: TestKeys | undefined): void {
  if (keys) rmSync(keys.dir, { recursive: true, force: true });
}

export async function startTestOperator(prefix: string, keys: TestKeys, options: { devOutbox?: DevOutbox; env?: Record<string, string> } = {}): Promise<RunningOperator> {
  const settings = loadOperatorSettings({
    OPERATOR_PORT: '0',
    KAFKA_BROKERS: kafkaBrokers().join(','),
    REDIS_URL: redisUrl(),
    REDIS_KEY_PREFIX: `${prefix}:`,
    GATEWAY_KEYS_FILE: join(keys.dir, 'keys.json'),
    TOPIC_PREFIX: prefix,
    KAFKA_CREATE_TOPICS: 'false',
    STATUS_GROUP_ID: `${prefix}-status`,
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  return startOperator(settings, { logger: createLogger({ name: 'operator-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' }), ...(options.devOutbox ? { devOutbox: options.devOutbox } : {}) });
}

/** The renderer's first status for each message (who it is for), as the operator's search needs it. */
export async function produceRendered(producer: Pick<BusPublisher, 'publish'>, topics: Topics, messages: ChannelMessageInput[], source = 'vpthanhuy-danang'): Promise<void> {
  const at = new Date(Date.now() - 60_000).toISOString();
  for (let i = 0; i < messages.length; i += 500) {
    const statuses: DeliveryStatus[] = messages.slice(i, i + 500).map((m) => ({
      messageId: m.id,
      eventId: m.eventId,
      channel: m.channel,
      status: 'rendered',
      at,
      summary: { recipient: { id: m.recipient.id, name: m.recipient.name, ...(m.recipient.phone ? { phone: m.recipient.phone } : {}), ...(m.recipient.email ? { email: m.recipient.email } : {}) }, eventType: m.eventType, source, urgency: m.urgency ?? 'thuong' },
    }));
    await producer.publish(statuses.map((s) => ({ topic: topics.status, key: s.messageId, value: JSON.stringify(s) })));
  }
}

export function client(base: string) {
  return async (method: string, path: string, key: string | null, body?: unknown): Promise<{ status: number; headers: Headers; json: Record<string, unknown> & { items?: Array<Record<string, unknown>> } }> => {
    const headers: Record<string, string> = {};
    if (key) headers.authorization = `Bearer ${key}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text && /json/.test(res.headers.get('content-type') ?? '') ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
}

/** One operator on its own topics and Redis prefix, with a producer, a Redis client and an API client. */
export interface OperatorBed {
  prefix: string;
  topics: Topics;
  keys: TestKeys;
  operator: RunningOperator;
  producer: BusPublisher;
  redis: Redis;
  call: ReturnType<typeof client>;
  stop(): Promise<void>;
}

export async function operatorBed(name: string, pick: (topics: Topics) => string[], partitions = 3): Promise<OperatorBed> {
  const prefix = uniqueName(name);
  const topics = withPrefix(prefix);
  await createTopics(kafkaBrokers(), pick(topics), partitions);
  const redis = new Redis(redisUrl());
  const keys = writeKeys();
  const operator = await startTestOperator(prefix, keys);
  const producer = testBus().publisher();
  await producer.connect();
  return {
    prefix,
    topics,
    keys,
    operator,
    producer,
    redis,
    call: client(operator.url),
    async stop() {
      await producer.disconnect();
      await operator.stop();
      redis.disconnect();
      removeKeys(keys);
    },
  };
}
