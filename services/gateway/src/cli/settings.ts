import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { previousPorts } from '@gateway/infra';
import { CliError, UsageError } from './errors';

const ROOT = resolve(__dirname, '../../../..');

/** Where the CLI finds the services and its key; built once from the environment by the entry file. */
export interface CliSettings {
  intakeUrl: string;
  directoryUrl: string;
  operatorUrl: string;
  /** GATEWAY_KEY, if set. */
  key?: string;
  /** The development key `npm start` writes beside the keys file, used when no key is given. */
  devKeyFile: string;
  keysFile: string;
  /** KAFKA_BROKERS, else the local broker `npm start` keeps in .gateway/kafka (for `consume`); may be empty. */
  kafkaBrokers: string[];
}

/** The address of the local broker `npm start` keeps (its server.properties), if there is one. */
function keptLocalBroker(stateDir: string): string[] {
  const ports = previousPorts(join(stateDir, 'kafka'));
  return ports ? [`127.0.0.1:${ports.port}`] : [];
}

const DEFAULT_URLS = { intake: 'http://127.0.0.1:8080', directory: 'http://127.0.0.1:8081', operator: 'http://127.0.0.1:8082' } as const;

function baseUrl(name: string, value: string | undefined, fallback: string): string {
  const url = value?.trim() || fallback;
  if (!/^https?:\/\/[^\s/]+/.test(url)) throw new UsageError(`${name} must be an http(s) URL such as ${fallback} (got ${JSON.stringify(url)})`);
  return url.replace(/\/+$/, '');
}

/** The only settings the CLI takes from the environment; flags override them per command. */
export function loadCliSettings(env: Record<string, string | undefined>): CliSettings {
  const key = env.GATEWAY_KEY?.trim();
  const keysFile = resolve(env.GATEWAY_KEYS_FILE?.trim() || join(ROOT, '.gateway', 'keys.json'));
  return {
    intakeUrl: baseUrl('GATEWAY_INTAKE_URL', env.GATEWAY_INTAKE_URL, DEFAULT_URLS.intake),
    directoryUrl: baseUrl('GATEWAY_DIRECTORY_URL', env.GATEWAY_DIRECTORY_URL, DEFAULT_URLS.directory),
    operatorUrl: baseUrl('GATEWAY_OPERATOR_URL', env.GATEWAY_OPERATOR_URL, DEFAULT_URLS.operator),
    ...(key ? { key } : {}),
    // `npm start` writes it beside the keys file.
    devKeyFile: join(dirname(keysFile), 'dev-key.txt'),
    keysFile,
    kafkaBrokers: env.KAFKA_BROKERS?.trim() ? env.KAFKA_BROKERS.split(',').map((b) => b.trim()).filter(Boolean) : keptLocalBroker(join(ROOT, '.gateway')),
  };
}

/** A URL flag, when given, wins over the environment. */
export function urlFlag(name: string, value: string | undefined, current: string): string {
  return value === undefined ? current : baseUrl(`--${name}`, value, current);
}

/** --key, else GATEWAY_KEY, else the development key of `npm start`. */
export function resolveKey(flag: string | undefined, settings: CliSettings, files: { exists: (p: string) => boolean; read: (p: string) => string } = { exists: existsSync, read: (p) => readFileSync(p, 'utf8') }): string {
  const given = flag?.trim() || settings.key;
  if (given) return given;
  if (files.exists(settings.devKeyFile)) {
    const dev = files.read(settings.devKeyFile).trim();
    if (dev) return dev;
  }
  throw new CliError(`Chưa có khóa API / no API key: pass --key, set GATEWAY_KEY, or run \`npm start\` once (it writes ${settings.devKeyFile}).`);
}
