import type { Consumer, IHeaders, KafkaMessage } from '@gateway/kafkajs';
import type { BusConsumer, BusRecord, ConsumerEvents, RunOptions, Subscription } from '../port';

type Listeners = { [E in keyof ConsumerEvents]: Set<(payload: ConsumerEvents[E]) => void> };

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value !== undefined) out[name] = value.toString();
  }
  return out;
}

function toRecord(topic: string, partition: number, message: KafkaMessage): BusRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key ? message.key.toString('utf8') : null,
    value: message.value,
    headers: decodeHeaders(message.headers),
    timestamp: message.timestamp,
  };
}

/** A kafkajs consumer behind the port. Offsets are resolved by the handler only (no auto-resolve). */
export class KafkaConsumer implements BusConsumer {
  private readonly listeners: Listeners = { joined: new Set(), crashed: new Set() };

  constructor(private readonly consumer: Consumer) {
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      for (const l of this.listeners.joined) l({ memberId: e.payload.memberId, assignment: e.payload.memberAssignment });
    });
    consumer.on(consumer.events.CRASH, (e) => {
      for (const l of this.listeners.crashed) l({ error: e.payload.error, restart: e.payload.restart });
    });
  }

  connect(): Promise<void> {
    return this.consumer.connect();
  }

  subscribe(subscription: Subscription): Promise<void> {
    return this.consumer.subscribe({ topics: [...subscription.topics], fromBeginning: subscription.fromBeginning ?? false });
  }

  run(options: RunOptions): Promise<void> {
    return this.consumer.run({
      partitionsConsumedConcurrently: options.partitionsConcurrently ?? 1,
      eachBatchAutoResolve: false,
      eachBatch: ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat, isRunning, isStale }) =>
        options.eachBatch(
          { topic: batch.topic, partition: batch.partition, records: batch.messages.map((m) => toRecord(batch.topic, batch.partition, m)) },
          { resolve: resolveOffset, commit: () => commitOffsetsIfNecessary(), heartbeat, isRunning, isStale },
        ),
    });
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }

  disconnect(): Promise<void> {
    return this.consumer.disconnect();
  }

  on<E extends keyof ConsumerEvents>(event: E, listener: (payload: ConsumerEvents[E]) => void): () => void {
    const set: Listeners[E] = this.listeners[event];
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }
}
