/**
 * `npm run gateway -- consume <topic>`: the project's own way to look at a topic (the Kafka jars
 * it fetches hold no console tools), as an operator would run it.
 */
import { createTopics, kafkaBrokers, testBus, uniqueName } from '@gateway/tests/support/infra';
import { gateway } from './cli-support';

jest.setTimeout(60_000);

describe('npm run gateway -- consume', () => {
  it('when a topic holds records, then it prints each as one JSON line with phones and emails masked, and stops at the end of the topic', async () => {
    const topic = uniqueName('consume');
    await createTopics(kafkaBrokers(), [topic], 2);
    const producer = testBus('consume-test').publisher();
    await producer.connect();
    const records = Array.from({ length: 5 }, (_, i) => ({
      key: `nguoi-${i}`,
      value: JSON.stringify({ id: `m-${i}`, recipient: { name: 'Nguyễn Văn An', phone: `+8490512345${i}`, contact: { email: `nvan${i}@danang.gov.vn` } } }),
    }));
    await producer.publish([...records, { key: 'text', value: 'không phải JSON, gọi 0905123456' }].map((r) => ({ topic, ...r })));
    await producer.disconnect();

    const result = await gateway(['consume', topic], { KAFKA_BROKERS: kafkaBrokers().join(',') });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { topic: string; partition: number; offset: string; key: string; value: unknown });
    expect(lines).toHaveLength(6);
    expect(lines.every((l) => l.topic === topic)).toBe(true);
    const values = lines.map((l) => l.value);
    expect(values).toContainEqual({ id: 'm-3', recipient: { name: 'Nguyễn Văn An', phone: '+84905***453', contact: { email: 'n***@danang.gov.vn' } } });
    expect(values).toContain('không phải JSON, gọi 0905***456');
    expect(result.stdout).not.toMatch(/\+84905123450|nvan0@/);

    const limited = await gateway(['consume', topic, '--max', '2'], { KAFKA_BROKERS: kafkaBrokers().join(',') });
    expect(limited.stdout.trim().split('\n')).toHaveLength(2);
  });

  it('when the topic does not exist, then it says so and exits 1', async () => {
    const result = await gateway(['consume', uniqueName('missing')], { KAFKA_BROKERS: kafkaBrokers().join(',') });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no topic/);
  });
});
