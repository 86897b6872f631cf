import type { BatchControl, RecordBatch } from '@gateway/bus';
import { createLogger } from '@gateway/common';
import type { IncomingRecord } from '@gateway/bus';
import { createBatchHandler } from './batch-handler';

const logger = createLogger({ name: 'batch-test', level: 'silent' });

function payload(keys: Array<string | null>, options: { running?: () => boolean } = {}) {
  const records = keys.map((key, i) => ({ topic: 't', partition: 0, key, value: Buffer.from(`v${i}`), offset: String(100 + i), headers: {}, timestamp: '0' }));
  const resolved: string[] = [];
  const events: string[] = [];
  const control: BatchControl = {
    resolve: (o: string) => {
      resolved.push(o);
      events.push(`resolve ${o}`);
    },
    heartbeat: async () => undefined,
    commit: async () => {
      events.push('commit');
    },
    isRunning: options.running ?? (() => true),
    isStale: () => false,
  };
  const p: [RecordBatch, BatchControl] = [{ topic: 't', partition: 0, records }, control];
  return { p, resolved, events };
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('batch handler', () => {
  it('when a batch has several keys, then each key goes in offset order, keys run side by side up to the bound', async () => {
    const order: string[] = [];
    let inFlight = 0;
    let peak = 0;
    const handler = createBatchHandler({
      concurrency: 2,
      logger,
      publish: async () => undefined,
      handle: async (record: IncomingRecord) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await tick(record.key === 'a' ? 15 : 5);
        order.push(`${record.key}:${record.offset}`);
        inFlight -= 1;
        return 'sent';
      },
    });
    const { p, resolved } = payload(['a', 'b', 'a', 'c', 'b', 'a', 'c']);
    await handler(...p);
    expect(peak).toBe(2);
    expect(order.filter((o) => o.startsWith('a:'))).toEqual(['a:100', 'a:102', 'a:105']);
    expect(order.filter((o) => o.startsWith('b:'))).toEqual(['b:101', 'b:104']);
    expect(order.filter((o) => o.startsWith('c:'))).toEqual(['c:103', 'c:106']);
    expect(resolved).toEqual(['106']);
  });

  it('when statuses are queued, then the offset is committed only after every one was acknowledged', async () => {
    const { p, events } = payload(['a', 'b']);
    const handler = createBatchHandler({
      concurrency: 4,
      logger,
      publish: async (out) => {
        await tick(20);
        events.push(`acked ${out.key}`);
      },
      handle: async (record, publish) => {
        publish({ topic: 's', key: record.offset, value: '{}' });
        return 'sent';
      },
    });
    await handler(...p);
    expect(events).toEqual(['acked 100', 'acked 101', 'resolve 101', 'commit']);
  });

  it('when a status publish fails, then nothing is committed and the batch fails (it comes back)', async () => {
    const { p, events } = payload(['a']);
    const handler = createBatchHandler({
      concurrency: 4,
      logger,
      publish: async () => Promise.reject(new Error('broker down')),
      handle: async (_record, publish) => {
        publish({ topic: 's', key: 'k', value: '{}' });
        return 'sent';
      },
    });
    await expect(handler(...p)).rejects.toThrow('broker down');
    expect(events).toEqual([]);
  });

  it('when a message cannot be settled (Redis down), then only the settled prefix is committed and that key stops', async () => {
    const seen: string[] = [];
    const handler = createBatchHandler({
      concurrency: 1,
      logger,
      publish: async () => undefined,
      handle: async (record) => {
        seen.push(record.offset);
        if (record.offset === '102') throw new Error('redis down');
        return 'sent';
      },
    });
    const { p, resolved } = payload(['a', 'a', 'a', 'a']);
    await expect(handler(...p)).rejects.toThrow('redis down');
    expect(seen).toEqual(['100', '101', '102']);
    expect(resolved).toEqual(['101']);
  });

  it('when the consumer is stopping, then no new message starts and the settled prefix is committed', async () => {
    let running = true;
    const handler = createBatchHandler({
      concurrency: 1,
      logger,
      publish: async () => undefined,
      handle: async (record) => {
        if (record.offset === '101') running = false;
        return 'sent';
      },
    });
    const { p, resolved } = payload(['a', 'b', 'c', 'd'], { running: () => running });
    await handler(...p);
    expect(resolved).toEqual(['101']);
  });

  it('when messages have no key, then they do not wait for each other', async () => {
    let inFlight = 0;
    let peak = 0;
    const handler = createBatchHandler({
      concurrency: 8,
      logger,
      publish: async () => undefined,
      handle: async () => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await tick(10);
        inFlight -= 1;
        return 'sent';
      },
    });
    await handler(...payload([null, null, null, null]).p);
    expect(peak).toBe(4);
  });
});
