import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ANY_SOURCE, generateKey, hashKey, parseKeysFile, type KeyRecord, type KeysFile, type Scope } from '@gateway/common';

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
