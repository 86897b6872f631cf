/**
 * The message bus conformance suite: the same behaviour from the bus port's Kafka adapter
 * (kafkajs, a real broker) and from the embedded mode's in-process MemoryBus. What the services
 * rely on is written here once.
 */
import { adoptLegacyGroupOffsets, createKafkaBus, eachRecord, type Bus, type BusConsumer, type BusRecord } from '@gateway/bus';
import { MemoryBus } from '@gateway/memory-bus';
import { createLogger } from '@gateway/common';
import { kafkaBrokers, uniqueName, waitFor } from '../support/infra';

const logger = createLogger({ name: 'bus-conformance', level: 'silent' });

const BUSES: Array<[string, () => Bus]> = [
  ['Kafka', () => createKafkaBus({ brokers: kafkaBrokers(), clientId: 'bus-conformance' }, logger)],
  ['the in-process bus', () => new MemoryBus()],
];

describe.each(BUSES)('the message bus on %s', (_name, makeBus) => {
  let bus: Bus;
  const consumers: BusConsumer[] = [];
  beforeAll(() => {
    bus = makeBus();
  });
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.disconnect()));
  });

  async function topic(partitions: number): Promise<string> {
    const name = uniqueName('conf');
    const admin = bus.admin();
    await admin.connect();
    await admin.createTopics([{ topic: name, partitions }]);
    await admin.disconnect();
    return name;
  }

  async function produce(name: string, messages: Array<{ key: string; value: string }>): Promise<void> {
    const producer = bus.publisher();
    await producer.connect();
    await producer.publish(messages.map((m) => ({ topic: name, ...m })));
    await producer.disconnect();
  }

  async function consume(name: string, groupId: string, handle: (m: BusRecord, partition: number) => Promise<void>, onJoin?: (assignment: Readonly<Record<string, readonly number[]>>) => void): Promise<BusConsumer> {
    const consumer = bus.consumer({ groupId, maxWaitMs: 100, retry: { initialRetryTimeMs: 100, retries: 20 } });
    consumers.push(consumer);
    if (onJoin) consumer.on('joined', (e) => onJoin(e.assignment));
    await consumer.connect();
    await consumer.subscribe({ topics: [name], fromBeginning: true });
    await consumer.run({ eachBatch: eachRecord((message) => handle(message, message.partition)) });
    return consumer;
  }

  it('when records with the same key are produced, then they are consumed in the order produced, per key', async () => {
    const name = await topic(4);
    const messages = Array.from({ length: 200 }, (_, i) => ({ key: `person-${i % 10}`, value: String(i) }));
    await produce(name, messages);
    const seen = new Map<string, number[]>();
    await consume(name, uniqueName('g'), async (m) => {
      const key = m.key?.toString() ?? '';
      seen.set(key, [...(seen.get(key) ?? []), Number(m.value?.toString())]);
    });
    await waitFor(() => [...seen.values()].reduce((n, l) => n + l.length, 0) === 200, { timeoutMs: 30_000 });
    for (let k = 0; k < 10; k += 1) {
      const expected = messages.filter((_, i) => i % 10 === k).map((m) => Number(m.value));
      expect(seen.get(`person-${k}`)).toEqual(expected);
    }
  });

  it('when a handler fails, then the record comes again (at least once) and the records behind it wait for it', async () => {
    const name = await topic(1);
    await produce(name, Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: String(i) })));
    const order: number[] = [];
    let failures = 0;
    await consume(name, uniqueName('g'), async (m) => {
      const n = Number(m.value?.toString());
      if (n === 3 && failures < 2) {
        failures += 1;
        throw new Error('provider down');
      }
      order.push(n);
    });
    await waitFor(() => order.length >= 10, { timeoutMs: 30_000 });
    expect(failures).toBe(2);
    // Nothing lost, nothing skipped, and 4..9 never overtook 3.
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('when a consumer stops and another of the group starts, then it resumes after the last committed record', async () => {
    const name = await topic(2);
    const groupId = uniqueName('g');
    await produce(name, Array.from({ length: 20 }, (_, i) => ({ key: `k${i % 4}`, value: String(i) })));
    const first: number[] = [];
    const c1 = await consume(name, groupId, async (m) => {
      first.push(Number(m.value?.toString()));
    });
    await waitFor(() => first.length === 20, { timeoutMs: 30_000 });
    await c1.disconnect();
    await produce(name, Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value: String(100 + i) })));
    const second: number[] = [];
    await consume(name, groupId, async (m) => {
      second.push(Number(m.value?.toString()));
    });
    await waitFor(() => second.length >= 5, { timeoutMs: 30_000 });
    expect(second.sort((a, b) => a - b)).toEqual([100, 101, 102, 103, 104]);
  });

  it('when a group id gains a prefix, then the new group takes over the old one\'s committed offsets once and resumes where it stopped', async () => {
    const name = await topic(2);
    const legacyGroupId = uniqueName('g-old');
    const groupId = `${uniqueName('env')}.${legacyGroupId}`;
    await produce(name, Array.from({ length: 20 }, (_, i) => ({ key: `k${i % 4}`, value: String(i) })));
    const before: number[] = [];
    const old = await consume(name, legacyGroupId, async (m) => {
      before.push(Number(m.value?.toString()));
    });
    await waitFor(() => before.length === 20, { timeoutMs: 30_000 });
    await old.disconnect();

    expect(await adoptLegacyGroupOffsets(bus, { groupId, legacyGroupId, topics: [name], logger })).toBe(2);
    const admin = bus.admin();
    await admin.connect();
    const offsets = async (g: string) => (await admin.groupOffsets(g, [name]))[0]?.partitions.map((p) => [p.partition, p.offset]).sort();
    expect(await offsets(groupId)).toEqual(await offsets(legacyGroupId));
    await admin.disconnect();

    await produce(name, Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value: String(100 + i) })));
    const after: number[] = [];
    await consume(name, groupId, async (m) => {
      after.push(Number(m.value?.toString()));
    });
    await waitFor(() => after.length >= 5, { timeoutMs: 30_000 });
    expect(after.sort((a, b) => a - b)).toEqual([100, 101, 102, 103, 104]);
    // Once the new group has offsets of its own, the old group's are never taken again.
    expect(await adoptLegacyGroupOffsets(bus, { groupId, legacyGroupId, topics: [name], logger })).toBe(0);
  });

  it('when the old group id committed nothing on these topics, then nothing is taken over and the new group starts from the beginning', async () => {
    const name = await topic(1);
    await produce(name, [{ key: 'k', value: '1' }]);
    const groupId = uniqueName('g-new');
    expect(await adoptLegacyGroupOffsets(bus, { groupId, legacyGroupId: uniqueName('g-none'), topics: [name], logger })).toBe(0);
    const got: string[] = [];
    await consume(name, groupId, async (m) => {
      got.push(m.value?.toString() ?? '');
    });
    await waitFor(() => got.length === 1, { timeoutMs: 30_000 });
    expect(got).toEqual(['1']);
  });

  it('when two members share a group, then each record goes to one of them and every partition is served', async () => {
    const name = await topic(4);
    const groupId = uniqueName('g');
    const got: Array<{ member: number; value: number }> = [];
    const assigned = new Map<number, number>();
    for (const member of [1, 2]) {
      await consume(
        name,
        groupId,
        async (m) => {
          got.push({ member, value: Number(m.value?.toString()) });
        },
        (assignment) => assigned.set(member, assignment[name]?.length ?? 0),
      );
    }
    // Once both hold partitions (a later rebalance may redeliver what was not committed: at least once).
    await waitFor(() => assigned.get(1) && assigned.get(2) && (assigned.get(1) ?? 0) + (assigned.get(2) ?? 0) === 4, { timeoutMs: 45_000 });
    await produce(name, Array.from({ length: 100 }, (_, i) => ({ key: `person-${i}`, value: String(i) })));
    await waitFor(() => new Set(got.map((g) => g.value)).size === 100, { timeoutMs: 45_000 });
    expect(new Set(got.map((g) => g.value)).size).toBe(100);
    expect(new Set(got.map((g) => g.member)).size).toBe(2);
  });

  it('when a member joins while a record is being handled, then two handlers never run on one partition at once, and nothing is lost', async () => {
    const name = await topic(1);
    const groupId = uniqueName('g');
    let running = 0;
    let most = 0;
    const handled = new Set<number>();
    const handler = async (m: BusRecord) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 150));
      handled.add(Number(m.value?.toString()));
      running -= 1;
    };
    await consume(name, groupId, handler);
    await produce(name, Array.from({ length: 6 }, (_, i) => ({ key: 'k', value: String(i) })));
    await waitFor(() => handled.size >= 1, { timeoutMs: 30_000 });
    await consume(name, groupId, handler);
    await waitFor(() => handled.size === 6, { timeoutMs: 45_000 });
    expect(most).toBe(1);
  });

  it('when one group reads fast and another slowly, then the slow one still gets every record', async () => {
    const name = await topic(1);
    await produce(name, Array.from({ length: 12_000 }, (_, i) => ({ key: 'k', value: String(i) })));
    const fast = new Set<number>();
    const slow = new Set<number>();
    let first = true;
    await consume(name, uniqueName('slow'), async (m) => {
      if (first) {
        first = false;
        await new Promise((r) => setTimeout(r, 500));
      }
      slow.add(Number(m.value?.toString()));
    });
    await consume(name, uniqueName('fast'), async (m) => {
      fast.add(Number(m.value?.toString()));
    });
    await waitFor(() => fast.size === 12_000 && slow.size === 12_000, { timeoutMs: 60_000, message: `fast ${fast.size}, slow ${slow.size} of 12000` });
    expect(slow.size).toBe(12_000);
  });

  it('when a topic does not exist, then producing to it is refused (no silent auto-creation)', async () => {
    const producer = bus.publisher();
    await producer.connect();
    await expect(producer.publish([{ topic: uniqueName('missing'), key: 'k', value: 'v' }])).rejects.toThrow();
    await producer.disconnect();
  });
});
