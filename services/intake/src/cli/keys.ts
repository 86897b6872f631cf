import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateKey, hashKey, parseKeysFile, SCOPES, type KeyRecord, type KeysFile, type Scope } from '@gateway/common';

const USAGE = `Manage gateway API keys (only their SHA-256 is stored).

  npm run keys -- create --name <name> --scopes <scope,scope> [--file <path>]
  npm run keys -- list [--file <path>]
  npm run keys -- revoke --name <name> [--file <path>]

Scopes: ${SCOPES.join(', ')}
The file defaults to $GATEWAY_KEYS_FILE, else .gateway/keys.json. Running services reload it within a second.`;

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

/** Creates a key and stores its hash; the key itself is returned once and never stored. */
export function createKey(path: string, name: string, scopes: Scope[], now = new Date()): string {
  const file = loadKeys(path);
  if (file.keys.some((k) => k.name === name)) throw new Error(`a key named "${name}" already exists in ${path}; revoke it or pick another name`);
  const key = generateKey();
  file.keys.push({ name, sha256: hashKey(key), scopes, createdAt: now.toISOString() });
  const checked = parseKeysFile(file);
  if (!checked.ok) throw new Error(checked.problems.join('; '));
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

function main(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: 'string' }, scopes: { type: 'string' }, file: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const command = positionals[0];
  const path = resolve(values.file ?? process.env.GATEWAY_KEYS_FILE ?? '.gateway/keys.json');
  if (values.help || !command) {
    console.log(USAGE);
    return command ? 0 : 1;
  }
  if (command === 'create') {
    if (!values.name || !values.scopes) {
      console.error('create needs --name and --scopes\n\n' + USAGE);
      return 1;
    }
    const scopes = values.scopes.split(',').map((s) => s.trim());
    const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
    if (unknown.length) {
      console.error(`unknown scope(s): ${unknown.join(', ')}. Known: ${SCOPES.join(', ')}`);
      return 1;
    }
    const key = createKey(path, values.name, scopes as Scope[]);
    console.log(`Created key "${values.name}" with scopes ${scopes.join(', ')} in ${path}.`);
    console.log('This is the only time the key is shown. Store it in the sending system now:\n');
    console.log(`  ${key}\n`);
    return 0;
  }
  if (command === 'list') {
    const file = loadKeys(path);
    if (file.keys.length === 0) console.log(`No keys in ${path}.`);
    for (const k of file.keys) console.log(`${k.name.padEnd(28)} ${k.scopes.join(',').padEnd(40)} ${k.revokedAt ? `revoked ${k.revokedAt}` : `created ${k.createdAt ?? '?'}`}`);
    return 0;
  }
  if (command === 'revoke') {
    const key = revokeKey(path, values.name ?? '');
    console.log(`Revoked "${key.name}". Running services stop accepting it within a second.`);
    return 0;
  }
  console.error(`unknown command "${command}"\n\n${USAGE}`);
  return 1;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    console.error(`keys: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
