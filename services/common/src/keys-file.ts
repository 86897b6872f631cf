import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, unwatchFile, watchFile, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from './log';
import { ANY_SOURCE, generateKey, hashKey, KeyRing, parseKeysFile, type KeyRecord, type KeysFile, type Scope } from './keys';

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


/** The keys file at `path` (an empty one if it does not exist yet), checked. */
export function loadKeys(path: string): KeysFile {
  if (!existsSync(path)) return { keys: [] };
  const parsed = parseKeysFile(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.ok) throw new Error(`${path} is invalid:\n  - ${parsed.problems.join('\n  - ')}`);
  return parsed.file;
}

function save(path: string, file: KeysFile): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

/**
 * The sources a new key may send when none are given: an admin key any (admin implies
 * everything), a key that writes events the source named like itself, and one that sends no
 * events needs none.
 */
export function defaultSources(name: string, scopes: readonly Scope[]): string[] | undefined {
  if (scopes.includes('admin')) return [ANY_SOURCE];
  return scopes.includes('events:write') ? [name] : undefined;
}

function checked(file: KeysFile): void {
  const result = parseKeysFile(file);
  if (!result.ok) throw new Error(result.problems.join('; '));
}

/** Creates a key and stores its hash; the key itself is returned once and never stored. */
export function createKey(path: string, name: string, scopes: Scope[], options: { sources?: string[]; now?: Date } = {}): string {
  const file = loadKeys(path);
  if (file.keys.some((k) => k.name === name)) throw new Error(`a key named "${name}" already exists in ${path}; revoke it or pick another name`);
  const key = generateKey();
  const sources = options.sources ?? defaultSources(name, scopes);
  file.keys.push({ name, sha256: hashKey(key), scopes, ...(sources ? { sources } : {}), createdAt: (options.now ?? new Date()).toISOString() });
  checked(file);
  save(path, file);
  return key;
}

/** Binds an existing key to the sources it may send (the migration of a key made before bindings existed). */
export function setKeySources(path: string, name: string, sources: string[]): KeyRecord {
  const file = loadKeys(path);
  const key = file.keys.find((k) => k.name === name);
  if (!key) throw new Error(`no key named "${name}" in ${path}`);
  key.sources = sources;
  checked(file);
  save(path, file);
  return key;
}

/** Marks the key revoked (it stays in the file for the record); throws when there is no such key. */
export function revokeKey(path: string, name: string, now = new Date()): KeyRecord {
  const file = loadKeys(path);
  const key = file.keys.find((k) => k.name === name);
  if (!key) throw new Error(`no key named "${name}" in ${path}`);
  key.revokedAt = now.toISOString();
  save(path, file);
  return key;
}

/** A signing secret: 32 random bytes, prefixed so a leaked one is recognisable in a secret scanner. */
export function generateCallbackSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/**
 * Sets (or clears, with url undefined) the key's callback. The secret is kept unless `rotate` or
 * there was none; the new one is returned, to be shown once. The file stays mode 0600.
 */
export function setKeyCallback(path: string, name: string, options: { url?: string; rotate?: boolean; now?: Date }): { key: KeyRecord; secret?: string } {
  const file = loadKeys(path);
  const key = file.keys.find((k) => k.name === name);
  if (!key) throw new Error(`no key named "${name}" in ${path}`);
  if (options.url === undefined) {
    delete key.callback;
    save(path, file);
    return { key };
  }
  const kept = options.rotate ? undefined : key.callback?.secret;
  const secret = kept ?? generateCallbackSecret();
  key.callback = { url: options.url, secret, updatedAt: (options.now ?? new Date()).toISOString() };
  checked(file);
  save(path, file);
  return { key, ...(kept === undefined ? { secret } : {}) };
}
