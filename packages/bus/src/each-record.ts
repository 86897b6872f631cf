import type { BatchControl, BatchHandler, BusRecord } from './port';

/**
 * A batch handler that takes the records one at a time, each resolved (and the member's heartbeat
 * sent) once its handler returned; it stops early when the consumer stops or loses the partition.
 * A handler that throws leaves its record and the rest of the batch unresolved: they come again.
 */
export function eachRecord(handle: (record: BusRecord, control: Pick<BatchControl, 'heartbeat'>) => Promise<void>): BatchHandler {
  return async (batch, control) => {
    for (const record of batch.records) {
      if (!control.isRunning() || control.isStale()) break;
      await handle(record, control);
      control.resolve(record.offset);
      await control.heartbeat();
      await control.commit();
    }
  };
}
