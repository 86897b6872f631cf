import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigResourceTypes, Kafka, logLevel, Partitioners } from '@gateway/kafkajs';
import { createTopics, readAllMessages, uniqueName } from '@gateway/tests/support/infra';
import { startLocalKafka, type LocalKafka } from '.';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Stops and restarts its broker, so it runs its own, never the shared one from globalSetup.
describe('a local Kafka broker (its own, not the shared one)', () => {
  let kafka: LocalKafka;
  const topic = uniqueName('local-kafka');
  const keys = Array.from({ length: 10 }, (_, i) => `key-${i}`);

  beforeAll(async () => {
    kafka = await startLocalKafka();
  }, 180_000);

  afterAll(async () => {
    await kafka?.remove();
  }, 60_000);

  const client = (): Kafka => new Kafka({ clientId: 'infra-test', brokers: kafka.brokers, logLevel: logLevel.NOTHING });

  it('when started, then it listens on loopback, runs from a fresh gateway-kafka- temp dir and does not auto-create topics', async () => {
    expect(kafka.brokers).toEqual([`127.0.0.1:${kafka.port}`]);
    expect(kafka.controllerPort).not.toBe(kafka.port);
    expect(kafka.dataDir.startsWith(path.join(os.tmpdir(), 'gateway-kafka-'))).toBe(true);
    expect(processAlive(kafka.pid)).toBe(true);
    expect(kafka.version).toMatch(/^4\./);

    const admin = client().admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configNames: ['auto.create.topics.enable'] }],
      });
      expect(resources[0]?.configEntries[0]?.configValue).toBe('false');
      // The readiness probe cleans up after itself.
      expect((await admin.listTopics()).filter((name) => name.startsWith('gateway-ready-'))).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  });

  it('when 100 keyed messages are produced with acks=-1, then a consumer reads them all back in order per key', async () => {
    await createTopics(kafka.brokers, [topic], 3);
    const producer = client().producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      // Ten sends of ten: several batches per partition, as a real producer would make.
      for (let round = 0; round < 10; round++) {
        await producer.send({
          topic,
          acks: -1,
          messages: keys.map((key) => ({ key, value: `${key}:${round}`, headers: { round: String(round) } })),
        });
      }
    } finally {
      await producer.disconnect();
    }

    const messages = await readAllMessages(kafka.brokers, topic, { expected: 100, timeoutMs: 30_000 });
    expect(messages).toHaveLength(100);
    for (const key of keys) {
      const ofKey = messages.filter((message) => message.key === key);
      expect(ofKey.map((message) => message.value)).toEqual(Array.from({ length: 10 }, (_, round) => `${key}:${round}`));
      expect(ofKey.map((message) => message.headers.round)).toEqual(Array.from({ length: 10 }, (_, round) => String(round)));
      expect(new Set(ofKey.map((message) => message.partition)).size).toBe(1);
    }
  }, 60_000);

  it('when eachMessage throws, then kafkajs redelivers that offset and commits nothing past it (at-least-once)', async () => {
    const ownTopic = uniqueName('at-least-once');
    await createTopics(kafka.brokers, [ownTopic], 1);
    const producer = client().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: ownTopic, acks: -1, messages: ['a', 'b', 'c'].map((value) => ({ value })) });
    await producer.disconnect();

    const groupId = uniqueName('at-least-once');
    const consumer = client().consumer({ groupId, retry: { initialRetryTime: 50, retries: 5 } });
    const handled: string[] = [];
    let failedOnce = false;
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [ownTopic], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            eachMessage: async ({ message }) => {
              const value = String(message.value);
              if (value === 'b' && !failedOnce) {
                failedOnce = true;
                throw new Error('handler failed once');
              }
              handled.push(value);
              if (handled.length === 3) resolve();
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
    expect(handled).toEqual(['a', 'b', 'c']);
    const admin = client().admin();
    await admin.connect();
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [ownTopic] });
    await admin.disconnect();
    expect(offsets?.partitions[0]?.offset).toBe('3');
  }, 60_000);

  it('when a transactional producer commits one transaction and aborts another, then a read_committed consumer sees only the committed one', async () => {
    const ownTopic = uniqueName('transactions');
    await createTopics(kafka.brokers, [ownTopic], 1);
    const producer = client().producer({
      transactionalId: uniqueName('tx'),
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    const committed = await producer.transaction();
    await committed.send({ topic: ownTopic, messages: [{ value: 'committed' }] });
    await committed.commit();
    const aborted = await producer.transaction();
    await aborted.send({ topic: ownTopic, messages: [{ value: 'aborted' }] });
    await aborted.abort();
    const marker = await producer.transaction();
    await marker.send({ topic: ownTopic, messages: [{ value: 'marker' }] });
    await marker.commit();
    await producer.disconnect();

    // kafkajs consumers read committed by default; the marker comes after the aborted record.
    const messages = await readAllMessages(kafka.brokers, ownTopic, { expected: 2, timeoutMs: 30_000 });
    expect(messages.map((message) => message.value)).toEqual(['committed', 'marker']);
  }, 60_000);

  it('when stopped and started again, then it keeps its ports and data dir and nothing written before is lost', async () => {
    const { port, dataDir, pid } = kafka;
    const stopping = kafka.stop();
    expect(kafka.stop()).toBe(stopping);
    await stopping;
    expect(processAlive(pid)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'data', 'meta.properties'))).toBe(true);

    await kafka.start();
    expect(kafka.port).toBe(port);
    expect(kafka.dataDir).toBe(dataDir);
    expect(kafka.pid).not.toBe(pid);

    const producer = client().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: 'key-0', value: 'key-0:after-restart' }] });
    await producer.disconnect();

    const messages = await readAllMessages(kafka.brokers, topic, { expected: 101, timeoutMs: 30_000 });
    expect(messages).toHaveLength(101);
    expect(messages.filter((message) => message.key === 'key-0').map((message) => message.value)).toEqual([
      ...Array.from({ length: 10 }, (_, round) => `key-0:${round}`),
      'key-0:after-restart',
    ]);
  }, 120_000);

  it('when removed, then the broker is gone with its data dir and it cannot be started again', async () => {
    const { pid, dataDir } = kafka;
    await kafka.remove();
    expect(processAlive(pid)).toBe(false);
    expect(fs.existsSync(dataDir)).toBe(false);
    await expect(kafka.start()).rejects.toThrow(/removed/);
  }, 60_000);
});
