import type { BusPublisher, OutgoingRecord } from '@gateway/bus';

/** Port: puts records on the bus; resolves once every one is acknowledged (acks=all), in the order given. */
export interface Publisher {
  publish(records: readonly OutgoingRecord[]): Promise<void>;
}

export function producerPublisher(producer: Pick<BusPublisher, 'publish'>): Publisher {
  return {
    async publish(records) {
      // One request per record: the status must be stored before the message that causes the next one.
      for (const r of records) await producer.publish([r]);
    },
  };
}
