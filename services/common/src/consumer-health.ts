import type { Bus, BusConsumer, ConsumerOptions } from '@gateway/bus';
import type { Logger } from './log';

/** A consumer that stopped for good: the process must be restarted (its supervisor does that). */
export class ConsumerFailedError extends Error {
  constructor(
    readonly consumerName: string,
    override readonly cause: unknown,
  ) {
    super(`${consumerName} stopped for good: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`);
    this.name = 'ConsumerFailedError';
  }
}

export interface ConsumerHealth {
  /** Joined its group and not crashed since (a consumer kafkajs restarts counts again once it rejoined). */
  consuming(): boolean;
  /** Resolves when it first joined its group. */
  readonly joined: Promise<void>;
  /**
   * Resolves (never rejects) when the consumer stopped for good: a crash kafkajs does not restart
   * (a non-retriable error, e.g. a handler's TypeError), or `maxRestarts` restarts in a row that
   * never got it back into its group (e.g. its topic was deleted).
   */
  readonly failed: Promise<ConsumerFailedError>;
}

export interface SupervisedConsumer {
  consumer: BusConsumer;
  health: ConsumerHealth;
}

/** Restarts in a row without rejoining the group before the consumer is given up (about 2 s for a deleted topic, minutes for a cluster that is down). */
export const DEFAULT_MAX_RESTARTS = 20;

/**
 * Every long-running consumer of the gateway is made here (renderer, channel workers, operator
 * projection), so that a crash it will not recover from is never only a log line: readiness
 * turns false at the first crash, and `failed` resolves when the consumer is given up, which the
 * composition root turns into a non-zero exit (see runMain). The bus restarts a consumer after a
 * retriable crash; `restartOnFailure` is asked only then, and here it says no once the
 * consumer failed to rejoin its group `maxRestarts` times in a row.
 */
export function superviseConsumer(bus: Bus, config: ConsumerOptions, options: { name: string; logger: Logger; maxRestarts?: number }): SupervisedConsumer {
  const maxRestarts = options.maxRestarts ?? DEFAULT_MAX_RESTARTS;
  let restartsInARow = 0;
  let consuming = false;
  let gaveUp = false;
  const consumer = bus.consumer({
    ...config,
    retry: { retries: 5, ...config.retry },
    restartOnFailure: async () => {
      restartsInARow += 1;
      return restartsInARow <= maxRestarts;
    },
  });
  let resolveJoined: () => void = () => undefined;
  const joined = new Promise<void>((resolve) => (resolveJoined = resolve));
  let resolveFailed: (err: ConsumerFailedError) => void = () => undefined;
  const failed = new Promise<ConsumerFailedError>((resolve) => (resolveFailed = resolve));
  consumer.on('joined', () => {
    if (gaveUp) return;
    restartsInARow = 0;
    consuming = true;
    resolveJoined();
  });
  consumer.on('crashed', ({ error, restart }) => {
    consuming = false;
    if (restart) {
      options.logger.warn({ consumer: options.name, groupId: config.groupId, err: error.message, restartsInARow }, 'consumer crashed; kafkajs restarts it');
      return;
    }
    if (gaveUp) return;
    gaveUp = true;
    const failure = new ConsumerFailedError(options.name, error);
    options.logger.error({ consumer: options.name, groupId: config.groupId, err: failure.message, restartsInARow }, 'consumer stopped for good: not ready, the process exits');
    resolveFailed(failure);
  });
  return { consumer, health: { consuming: () => consuming && !gaveUp, joined, failed } };
}

/** The first failure of several (a process with more than one consumer); never settles when there are none. */
export function firstFailure(failures: ReadonlyArray<Promise<Error> | undefined>): Promise<Error> {
  const present = failures.filter((f): f is Promise<Error> => f !== undefined);
  return present.length ? Promise.race(present) : new Promise<Error>(() => undefined);
}
