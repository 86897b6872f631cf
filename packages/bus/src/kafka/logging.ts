import { logLevel, type LogEntry, type logCreator } from '@gateway/kafkajs';
import type { BusLogger } from '../log';

// kafkajs logs every retried request at ERROR (e.g. "coordinator is loading" while a broker
// starts); what is really an error reaches the caller as a rejected promise, so these are warnings.
const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'warn',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** kafkajs's own logs through ours, under the `kafkajs` component. */
export function kafkajsLogCreator(logger: BusLogger): logCreator {
  const log = logger.child({ component: 'kafkajs' });
  return () =>
    ({ level, log: entry }: LogEntry) => {
      const { message, ...rest } = entry;
      // Our producers limit retries on purpose (a request must fail within its timeout so the
      // caller can answer 503); downstream deduplication by event id covers the rare duplicate.
      if (message.startsWith('Limiting retries for the idempotent producer')) return;
      log[LEVELS[level] ?? 'info']({ kafka: rest }, message);
    };
}
