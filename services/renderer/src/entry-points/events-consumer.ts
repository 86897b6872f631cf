import { parseEvent, type DeadLetter, type Topics } from '@gateway/contracts';
import { deadLetterRecord, decodeRecord, eachRecord, sendChunked, type BusConsumer, type BusPublisher, type BusRecord } from '@gateway/bus';
import type { Logger } from '@gateway/common';
import { TemplateError, InvalidDateError } from '../domain';
import { processEvent, type ProcessorDeps } from '../app/process-event';

export interface EventsConsumerDeps {
  consumer: BusConsumer;
  producer: BusPublisher;
  processor: Omit<ProcessorDeps, 'topics'>;
  topics: Topics;
  logger: Logger;
  service: string;
  partitionsConsumedConcurrently?: number;
  /**
   * gzip the published channel messages. Rendered emails are mostly repetitive HTML, which gzip
   * shrinks well on the broker's disk and network; but compressing costs the renderer (and the
   * broker, which decompresses to validate) CPU on every message, so it is off by default
   * (RENDERER_COMPRESSION; figures in docs/benchmarks.md).
   */
  gzip?: boolean;
  onProcessed?: (summary: { eventId: string; rendered: number; skipped: number; ms: number }) => void;
}

/** Errors that a retry cannot fix: the event is dead-lettered with the reason and committed. */
function isPoison(err: unknown): boolean {
  return err instanceof TemplateError || err instanceof InvalidDateError || err instanceof RangeError || err instanceof TypeError;
}

/**
 * consume → publish → commit. Offsets are committed only after everything an event produced was
 * acknowledged, so a crash anywhere re-processes the event; its message ids are deterministic, so
 * the copies are recognised downstream. Poison events go to the dead-letter topic and are committed;
 * infrastructure errors are thrown, and the bus retries the same offset.
 */
export async function runEventsConsumer(deps: EventsConsumerDeps): Promise<void> {
  const { consumer, producer, topics, logger } = deps;
  await consumer.subscribe({ topics: [topics.events], fromBeginning: true });

  const deadLetter = async (topic: string, partition: number, message: BusRecord, reason: string, issues?: DeadLetter['issues']) => {
    await producer.publish([deadLetterRecord(topics, deps.service, decodeRecord(message), reason, issues)]);
    logger.warn({ topic, partition, offset: message.offset, reason }, 'event dead-lettered');
  };

  await consumer.run({
    partitionsConcurrently: deps.partitionsConsumedConcurrently ?? 3,
    eachBatch: eachRecord(async (message, { heartbeat }) => {
      const { topic, partition } = message;
      const started = Date.now();
      let json: unknown;
      try {
        json = JSON.parse(message.value?.toString('utf8') ?? '');
      } catch (err) {
        await deadLetter(topic, partition, message, `not JSON: ${(err as Error).message}`);
        return;
      }
      const parsed = parseEvent(json);
      if (!parsed.ok) {
        await deadLetter(topic, partition, message, parsed.kind === 'unknown-type' ? 'unknown event type' : 'the event does not match the contracts', parsed.issues.slice(0, 100));
        return;
      }
      const event = parsed.event;
      if (!event.id) {
        await deadLetter(topic, partition, message, 'the event has no id (intake assigns one; was it written by something else?)');
        return;
      }
      // Every id is scoped by the source (the sender): a record whose source is not the one the
      // intake checked against the key was not written by the intake. Records from before the
      // stamp existed carry none.
      const stamped = message.headers['authenticated-source'];
      if (stamped !== undefined && stamped !== event.source) {
        await deadLetter(topic, partition, message, `the event's source "${event.source}" is not the one the intake authenticated ("${stamped}")`);
        return;
      }
      const correlationId = message.headers['correlation-id'] ?? event.id;
      let result;
      try {
        result = await processEvent(event, correlationId, { ...deps.processor, topics });
      } catch (err) {
        if (!isPoison(err)) throw err;
        await deadLetter(topic, partition, message, `rendering failed: ${(err as Error).message}`);
        return;
      }
      const rendered = Date.now();
      // A request's records of one partition form one batch, which must stay under the broker's
      // message.max.bytes (1 MiB by default) even when the topic has a single partition: 768 KiB
      // uncompressed, 2 MiB of records that gzip to about a third of that.
      await sendChunked(producer, result.records, { between: heartbeat, concurrency: 4, gzip: deps.gzip ?? false, maxBytes: deps.gzip ? 2 * 1024 * 1024 : 768 * 1024 });
      if (result.unresolved.length > 0) logger.warn({ eventId: event.id, unresolved: result.unresolved.slice(0, 20), count: result.unresolved.length }, 'some recipients could not be resolved');
      const ms = Date.now() - started;
      logger.info({ eventId: event.id, type: event.type, recipients: result.recipients, rendered: result.rendered, skipped: result.skipped, ms, renderMs: rendered - started, publishMs: Date.now() - rendered }, 'event rendered');
      deps.onProcessed?.({ eventId: event.id, rendered: result.rendered, skipped: result.skipped, ms });
    }),
  });
}
