/**
 * A consumer that kafkajs will not restart (or that cannot get back into its group) must not stay
 * a process doing nothing: superviseConsumer reports it not consuming and resolves `failed`. The
 * embedded mode's in-process bus fails the same way on the same error.
 */
import { Kafka, logLevel } from '@gateway/kafkajs';
import { createKafkaBus, eachRecord, type Bus } from '@gateway/bus';
import { MemoryBus } from '@gateway/memory-bus';
import { kafkaBrokers, uniqueName, waitFor } from '@gateway/tests/support/infra';
import { ConsumerFailedError, superviseConsumer } from '../src/consumer-health';
import { createLogger } from '../src/log';

jest.setTimeout(90_000);
const logger = createLogger({ name: 'consumer-health-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });

const BUSES: Array<[string, () => Bus]> = [
  ['a real broker', () => createKafkaBus({ brokers: kafkaBrokers(), clientId: 'consumer-health-test' }, logger)],
  ['the embedded bus', () => new MemoryBus()],
];

describe.each(BUSES)('superviseConsumer on %s', (_name, makeBus) => {
  it('when a handler throws an error kafkajs does not retry (a TypeError), then the consumer is no longer consuming and `failed` resolves with the cause', async () => {
    const bus = makeBus();
    const topic = uniqueName('crash');
    const admin = bus.admin();
    await admin.connect();
    await admin.createTopics([{ topic, partitions: 1 }]);
    const { consumer, health } = superviseConsumer(bus, { groupId: uniqueName('crash-group') }, { name: 'test consumer', logger });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let calls = 0;
    await consumer.run({
      eachBatch: eachRecord(async (message) => {
        calls += 1;
        // A bug: reading a field of what is not there.
        (JSON.parse(message.value?.toString() ?? 'null') as { data: { title: string } }).data.title.trim();
      }),
    });
    await health.joined;
    expect(health.consuming()).toBe(true);
    const producer = bus.publisher();
    await producer.connect();
    await producer.publish([{ topic, key: 'k', value: '{}' }]);
    await producer.disconnect();

    const failure = await health.failed;
    expect(failure).toBeInstanceOf(ConsumerFailedError);
    expect(failure.message).toMatch(/test consumer stopped for good: .*TypeError|Cannot read properties/);
    expect(health.consuming()).toBe(false);
    expect(calls).toBe(1);
    await consumer.disconnect();
    await admin.disconnect();
  });
});

describe('superviseConsumer on a real broker', () => {
  it('when its topic is deleted under it (kafkajs restarts it forever), then it is given up after maxRestarts and `failed` resolves', async () => {
    const bus = createKafkaBus({ brokers: kafkaBrokers(), clientId: 'consumer-health-test' }, logger);
    const topic = uniqueName('deleted');
    const kafka = new Kafka({ clientId: 'consumer-health-admin', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const { consumer, health } = superviseConsumer(bus, { groupId: uniqueName('deleted-group') }, { name: 'test consumer', logger, maxRestarts: 3 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachBatch: async () => undefined });
    await health.joined;
    await admin.deleteTopics({ topics: [topic] });
    await waitFor(() => !health.consuming(), { timeoutMs: 30_000, message: 'not consuming after the first crash' });
    const failure = await health.failed;
    expect(failure.message).toMatch(/does not host this topic-partition/);
    await consumer.disconnect();
    await admin.disconnect();
  });
});
