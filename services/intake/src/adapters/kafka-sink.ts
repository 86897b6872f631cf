import type { GatewayEvent } from '@gateway/contracts';
import type { BatchingPublisher } from '@gateway/bus';
import { partitionKeyOf, type EventSink } from '../app/accept-event';

/** Writes the event, unchanged, as the record value; who sent it and when go into headers. */
export function createKafkaEventSink(publisher: BatchingPublisher, topic: string): EventSink {
  return {
    publish(event: GatewayEvent, meta) {
      return publisher.publish({
        topic,
        key: partitionKeyOf(event),
        value: meta.json,
        headers: {
          'content-type': 'application/json',
          'event-type': event.type,
          'event-id': event.id ?? '',
          'correlation-id': meta.correlationId,
          'api-key-name': meta.keyName,
          // What downstream scopes ids by: checked here, so nothing trusts the body's source alone.
          'authenticated-source': meta.sender,
          'received-at': meta.receivedAt,
        },
      });
    },
  };
}
