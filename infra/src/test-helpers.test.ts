import { Kafka, logLevel, Partitioners } from '@gateway/kafkajs';
import { createTopics, kafkaBrokers, readAllMessages, redisUrl, uniqueName, waitFor } from '@gateway/tests/support/infra';
import { redisCommand } from './redis-local';

// Uses the shared Kafka and Redis that globalSetup started, as every component test does.
describe('tests/support/infra helpers against the shared Kafka and Redis', () => {
  it('when global setup ran, then the brokers and Redis URL are published and answer', async () => {
    expect(kafkaBrokers().length).toBeGreaterThan(0);
    expect(await redisCommand(redisUrl(), ['PING'])).toBe('PONG');
  });

  it('when messages are written, then readAllMessages returns them with key, value, headers, partition and offset', async () => {
    const topic = uniqueName('helpers');
    await createTopics(kafkaBrokers(), [topic], 2);
    const producer = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: [
        { key: 'a', value: 'one', headers: { 'event-type': 'x' } },
        { key: 'a', value: 'two', headers: { 'event-type': 'y' } },
        { key: null, value: null },
      ],
    });
    await producer.disconnect();

    const messages = await readAllMessages(kafkaBrokers(), topic, { expected: 3, timeoutMs: 20_000 });
    const keyed = messages.filter((message) => message.key === 'a');
    expect(keyed.map(({ value, headers }) => [value, headers['event-type']])).toEqual([
      ['one', 'x'],
      ['two', 'y'],
    ]);
    expect(keyed[1]?.offset).toBe(String(Number(keyed[0]?.offset) + 1));
    expect(messages.find((message) => message.key === null)?.value).toBe('');

    await expect(readAllMessages(kafkaBrokers(), topic, { expected: 4, timeoutMs: 3_000 })).rejects.toThrow(/3 of 4 messages/);
  }, 60_000);

  it('when waiting for a condition, then waitFor returns its value or fails with the last error', async () => {
    let calls = 0;
    await expect(waitFor(() => (++calls >= 3 ? 'done' : false), { intervalMs: 10 })).resolves.toBe('done');
    await expect(
      waitFor(
        () => {
          throw new Error('not yet');
        },
        { timeoutMs: 100, intervalMs: 10 },
      ),
    ).rejects.toThrow(/not met within 100 ms \(last error: not yet\)/);
  });

  it('when names are made, then they are unique and valid Kafka topic names', () => {
    const a = uniqueName('a b/c');
    expect(a).toMatch(/^test-a-b-c-[a-z0-9]+-[0-9a-f]{8}$/);
    expect(uniqueName('a b/c')).not.toBe(a);
  });
});
