/** Exit codes of the admin CLI. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** A failure to report to the admin in one message (no stack trace), with the exit code to end with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Wrong command line: exit code 2, and the command's usage is shown. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = 'UsageError';
  }
}
