import { attendanceAnsweredSchema, type Topics } from '@gateway/contracts';
import { deadLetterRecord, decodeRecord, type BusConsumer, type OutgoingRecord } from '@gateway/bus';
import type { AttendanceAnswerStore } from '@gateway/attendance';
import type { Logger } from '@gateway/common';
import type { Publisher } from '../app/publisher';

export interface AttendanceProjectionDeps {
  consumer: Pick<BusConsumer, 'subscribe' | 'run'>;
  topics: Topics;
  answers: AttendanceAnswerStore;
  publisher: Publisher;
  logger: Logger;
}

/**
 * Keeps the answers per meeting × person (the latest `at` wins, so a redelivered or late older
 * answer changes nothing). A record that is not an answer goes to the dead-letter topic; a store
 * error fails the batch, which is retried from its first offset.
 */
export async function runAttendanceProjection(deps: AttendanceProjectionDeps): Promise<void> {
  await deps.consumer.subscribe({ topics: [deps.topics.attendance], fromBeginning: true });
  await deps.consumer.run({
    partitionsConcurrently: 3,
    eachBatch: async (batch, { resolve, heartbeat, commit }) => {
      const letters: OutgoingRecord[] = [];
      for (const message of batch.records) {
        const record = decodeRecord(message);
        let json: unknown;
        try {
          json = JSON.parse(record.value);
        } catch {
          json = undefined;
        }
        const parsed = attendanceAnsweredSchema.safeParse(json);
        if (parsed.success) {
          await deps.answers.record(parsed.data);
          continue;
        }
        letters.push(deadLetterRecord(deps.topics, 'operator', record, 'not an attendance answer (it does not match the contracts)', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))));
        deps.logger.warn({ topic: record.topic, partition: record.partition, offset: record.offset }, 'attendance record dead-lettered');
      }
      if (letters.length) await deps.publisher.publish(letters);
      const last = batch.records[batch.records.length - 1];
      if (last) resolve(last.offset);
      await commit();
      await heartbeat();
    },
  });
}
