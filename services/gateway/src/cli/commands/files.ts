import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError } from '../errors';

/** Reads a file the admin named, saying which one could not be read. */
export function readInputFile(path: string): Buffer {
  try {
    return readFileSync(resolve(path));
  } catch (err) {
    throw new CliError(`Không đọc được tệp / cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
