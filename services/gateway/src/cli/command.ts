import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CliSettings } from './settings';
import { UsageError } from './errors';

export interface CliContext {
  settings: CliSettings;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Where progress bars draw (stderr); a bar is drawn only when it is a terminal. */
  progressStream: NodeJS.WriteStream;
  /** Registers a Ctrl-C handler for the running command; returns its removal. */
  onInterrupt: (handler: () => void) => () => void;
  now: () => Date;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], ctx: CliContext): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, its errors turned into usage errors (exit 2). --help is answered before a command runs. */
export function parseCommandArgs<O extends Options>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export const KEY_OPTION = { key: { type: 'string' } } as const;
