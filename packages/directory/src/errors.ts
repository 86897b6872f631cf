/**
 * Store failures say whether a retry can help, so the consumer knows whether to retry an event
 * or send it to the dead-letter topic, and the HTTP layer whether to answer 503 or 500.
 */
export class DirectoryStoreError extends Error {
  readonly retriable: boolean;

  constructor(message: string, options: { retriable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DirectoryStoreError';
    this.retriable = options.retriable;
  }
}

/** The store answered, but a record in it is not what this code wrote: a retry reads the same bytes. */
export class DirectoryDataError extends DirectoryStoreError {
  constructor(message: string) {
    super(message, { retriable: false });
    this.name = 'DirectoryDataError';
  }
}
