import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { parse } from 'yaml';

export const ROOT = resolve(__dirname, '../..');

export interface ComposeService {
  image?: string;
  build?: unknown;
  entrypoint?: string[];
  command?: string[];
  environment?: Record<string, string | number | null>;
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** Compose files use YAML merge keys (`<<: *anchor`), which YAML 1.2 parsers apply only when asked. */
export function parseCompose(text: string): ComposeFile {
  return parse(text, { merge: true }) as ComposeFile;
}

export function readCompose(file = join(ROOT, 'docker-compose.yml')): { text: string; compose: ComposeFile } {
  const text = readFileSync(file, 'utf8');
  return { text, compose: parseCompose(text) };
}

// The formats the Compose schema names, as the Compose specification defines them.
const FORMATS: Record<string, RegExp> = {
  duration: /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/,
  ports: /^((\[[0-9a-fA-F:]+\]|[0-9.]+|[\w.-]+):)?(\d{1,5}(-\d{1,5})?:)?\d{1,5}(-\d{1,5})?(\/(tcp|udp|sctp))?$/,
  expose: /^\d{1,5}(-\d{1,5})?(\/(tcp|udp|sctp))?$/,
  subnet_ip_address: /^([0-9.]+\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/,
};

/** A validator for infra/compose-spec.json (the Compose specification's JSON Schema). */
export function composeSchemaValidator(): (doc: unknown) => string[] {
  const schema = JSON.parse(readFileSync(join(ROOT, 'infra/compose-spec.json'), 'utf8')) as Record<string, unknown>;
  // The schema names its draft by a URL Ajv does not ship and labels its parts with draft-04 `id`s
  // (labels only: every $ref is a JSON pointer); its keywords are the draft-07 ones Ajv validates.
  delete schema.$schema;
  const dropIds = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    if (typeof record.id === 'string') delete record.id;
    Object.values(record).forEach(dropIds);
  };
  dropIds(schema);
  const ajv = new Ajv({ strict: false, allErrors: true });
  for (const [name, pattern] of Object.entries(FORMATS)) ajv.addFormat(name, pattern);
  const validate = ajv.compile(schema);
  return (doc) => (validate(doc) ? [] : (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`));
}

/** Compose's `${NAME}` / `${NAME:-default}` interpolation, from `vars`. */
export function interpolate(value: string, vars: Record<string, string | undefined> = {}): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g, (_m, name: string, fallback: string | undefined) => vars[name] || (fallback ?? ''));
}

/**
 * A container's environment as the service sees it: values interpolated, and a key without a
 * value (passed through from the shell) taken from `passThrough`, or absent, as Compose does.
 */
export function containerEnv(service: ComposeService, passThrough: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(service.environment ?? {})) {
    if (value === null) {
      if (passThrough[name] !== undefined) env[name] = passThrough[name];
    } else env[name] = interpolate(String(value));
  }
  return env;
}

/**
 * The environment variables a settings loader reads: it is given `env` behind a proxy that
 * records every name looked up. Loaders throw on missing settings; the names are read before.
 */
export function settingsRead(load: (env: Record<string, string | undefined>) => unknown, env: Record<string, string> = {}, isExpected: (err: unknown) => boolean = () => true): Set<string> {
  const read = new Set<string>();
  const proxy = new Proxy({ ...env } as Record<string, string | undefined>, {
    get(target, name, receiver) {
      if (typeof name === 'string') read.add(name);
      return Reflect.get(target, name, receiver) as unknown;
    },
  });
  try {
    load(proxy);
  } catch (err) {
    if (!isExpected(err)) throw err;
  }
  return read;
}

/** The `host` and `port` of a URL-ish setting: "kafka:9092", "redis://redis:6379", "http://intake:8080". */
export function hostPort(value: string): { host: string; port: number } {
  const m = /^(?:[a-z]+:\/\/)?([^:/\s]+):(\d+)/.exec(value);
  if (!m) throw new Error(`no host:port in ${value}`);
  return { host: m[1] ?? '', port: Number(m[2]) };
}
