import { existsSync, readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { Logger } from './log';
import { KeyRing, parseKeysFile } from './keys';

export class KeysFileError extends Error {}

export function readKeyRing(path: string): KeyRing {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new KeysFileError(`cannot read the keys file ${path}: ${(err as Error).message}`);
  }
  const parsed = parseKeysFile(json);
  if (!parsed.ok) throw new KeysFileError(`the keys file ${path} is invalid:\n  - ${parsed.problems.join('\n  - ')}`);
  return new KeyRing(parsed.file);
}

/**
 * Holds the current key ring and reloads it when the file changes, so a key created or revoked
 * with the CLI takes effect without a restart. A broken edit keeps the previous keys.
 */
export function watchKeyRing(path: string, logger: Logger, intervalMs = 1000): { current: () => KeyRing; close: () => void } {
  // A missing file is a fresh install: start with no keys (every request gets 401) and pick the
  // file up as soon as the CLI creates it. A file that exists but is broken still stops the start.
  let ring: KeyRing;
  if (existsSync(path)) ring = readKeyRing(path);
  else {
    ring = new KeyRing({ keys: [] });
    logger.warn({ path }, 'no API keys file yet: every request is refused until a key is created (npm run keys -- create)');
  }
  const onChange = () => {
    try {
      ring = readKeyRing(path);
      logger.info({ keys: ring.size }, 'API keys reloaded');
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'keys file changed but is invalid; keeping the previous keys');
    }
  };
  watchFile(path, { interval: intervalMs, persistent: false }, onChange);
  // watchFile takes its first stat asynchronously: a file created before that stat looks
  // unchanged forever. Until the file exists, look for it ourselves.
  let waiting: NodeJS.Timeout | undefined;
  if (!existsSync(path)) {
    waiting = setInterval(() => {
      if (!existsSync(path)) return;
      clearInterval(waiting);
      waiting = undefined;
      onChange();
    }, intervalMs);
    waiting.unref();
  }
  return {
    current: () => ring,
    close: () => {
      clearInterval(waiting);
      unwatchFile(path, onChange);
    },
  };
}
