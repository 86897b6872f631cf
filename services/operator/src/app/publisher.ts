import type { Producer } from 'kafkajs';
import type { OutgoingMessage } from '@gateway/common';

/** Port: puts records on the bus; resolves once every one is acknowledged (acks=all), in the order given. */
export interface Publisher {
  publish(records: readonly OutgoingMessage[]): Promise<void>;
}

export function producerPublisher(producer: Pick<Producer, 'send'>): Publisher {
  return {
    async publish(records) {
      // One request per record: the status must be stored before the message that causes the next one.
      for (const r of records) await producer.send({ topic: r.topic, acks: -1, messages: [{ key: r.key, value: r.value, headers: r.headers }] });
    },
  };
}
