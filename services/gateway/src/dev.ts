/**
 * `npm start`: the whole gateway in one process on a fresh machine.
 *
 * - Nothing set: embedded mode. An in-process bus and in-memory stores stand in for Kafka and
 *   Redis, and development sinks for the SMS provider, the SMTP relay and web push; what they
 *   "sent" is shown in the operator console. Data lives in memory and is gone when it stops.
 * - KAFKA_BROKERS and/or REDIS_URL set: the same services on Kafka and Redis (a missing one is
 *   started locally: Kafka from Maven Central, redis-server with an append-only file, both keeping
 *   their data in .gateway/ across restarts; `--fresh` wipes it first), with real providers where
 *   their settings are given (SMS_PROVIDERS, SMTP_HOST, WEB_PUSH_VAPID_*) and the development
 *   sinks for the channels without one, so that every message settles.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { generateVapidKeys } from '@gateway/worker-push';
import { provideKafka, provideRedis, type ProvidedKafka, type ProvidedRedis } from '@gateway/infra';
import { createKafkaBus, type Bus } from '@gateway/bus';
import { ConfigError, exitOnFailure, readKeyRing, createKey, createLogger, type Scope } from '@gateway/common';
import { TOPICS, withPrefix, type Topics } from '@gateway/contracts';
import { chooseServices, firstServiceFailure, loadServiceSettings, SERVICES, startConfiguredServices, startServices, stopServices, type RunningService } from './main';
import { createEmbeddedInfra } from './embedded-infra';
import { createDevSinks, DEFAULT_REJECTED_PHONES, type DevSinks } from './dev-sinks';

const ROOT = resolve(__dirname, '../../..');
const STATE = join(ROOT, '.gateway');

export interface DevGatewayOptions {
  /** Keys, VAPID keys and the local broker's and redis-server's data (default: .gateway/ at the root). */
  stateDir?: string;
  /** Deletes the local broker's and redis-server's kept data before they start (`npm start -- --fresh`). */
  fresh?: boolean;
}

/** Where a local broker and redis-server started by `npm start` keep their data, under the state dir. */
export function localInfraDirs(stateDir: string): { kafka: string; redis: string } {
  return { kafka: join(stateDir, 'kafka'), redis: join(stateDir, 'redis') };
}

/**
 * Development keys: kept in plain text beside the hashed keys file (dev-keys.json) so every start
 * can print them; made again when that keys file no longer holds them.
 */
function devKeys(keysFile: string): Record<'admin' | 'viewer', string> {
  const dir = dirname(keysFile);
  mkdirSync(dir, { recursive: true });
  const plainFile = join(dir, 'dev-keys.json');
  if (existsSync(plainFile) && existsSync(keysFile)) {
    try {
      const saved = JSON.parse(readFileSync(plainFile, 'utf8')) as Partial<Record<'admin' | 'viewer', string>>;
      const ring = readKeyRing(keysFile);
      if (saved.admin && saved.viewer && ring.authenticate(saved.admin) && ring.authenticate(saved.viewer)) return withCliKey(dir, { admin: saved.admin, viewer: saved.viewer });
    } catch {
      // Unreadable: make new ones below.
    }
  }
  const suffix = Date.now().toString(36);
  const make = (role: string, scopes: Scope[]) => createKey(keysFile, `dev-${role}-${suffix}`, scopes);
  const keys = { admin: make('admin', ['admin']), viewer: make('viewer', ['notifications:read']) };
  writeFileSync(plainFile, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return withCliKey(dir, keys);
}

/** The admin CLI reads the development key from dev-key.txt: written on every start, so a deleted one comes back. */
function withCliKey(dir: string, keys: Record<'admin' | 'viewer', string>): Record<'admin' | 'viewer', string> {
  writeFileSync(join(dir, 'dev-key.txt'), `${keys.admin}\n`, { mode: 0o600 });
  return keys;
}

/** A development secret for the personal attendance links, kept so links sent before a restart still open. */
function devAttendanceSecret(stateDir: string): string {
  const file = join(stateDir, 'dev-attendance-secret.txt');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(33).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** Throwaway VAPID keys for the development sink of web push. */
function devVapid(stateDir: string): { publicKey: string; privateKey: string } {
  const file = join(stateDir, 'dev-vapid.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as { publicKey: string; privateKey: string };
  const keys = generateVapidKeys();
  writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return keys;
}

export interface DevGateway {
  services: RunningService[];
  /** Absent when the gateway runs with a real keys file (GATEWAY_KEYS_FILE on Kafka and Redis). */
  keys?: Record<'admin' | 'viewer', string>;
  embedded: boolean;
  /** The channels whose messages go to the development sinks (no provider configured). */
  devChannels: Array<'sms' | 'email' | 'push'>;
  /** The bus the services use (the in-process one, or a client of the Kafka cluster). */
  bus: Bus;
  topics: Topics;
  /** What the development sinks captured (the channels without a provider). */
  sinks?: DevSinks;
  url: (name: string) => string;
  stop: () => Promise<void>;
}

export async function startDevGateway(env: NodeJS.ProcessEnv, say: (line: string) => void, options: DevGatewayOptions = {}): Promise<DevGateway> {
  const stateDir = options.stateDir ?? STATE;
  mkdirSync(stateDir, { recursive: true });
  const keysFile = env.GATEWAY_KEYS_FILE ?? join(stateDir, 'keys.json');
  const embeddedMode = !env.KAFKA_BROKERS && !env.REDIS_URL;
  // Development keys go only into a development keys file: never into a real deployment's file
  // (Kafka/Redis mode with GATEWAY_KEYS_FILE set), where keys are made with the admin CLI.
  const keys = embeddedMode || !env.GATEWAY_KEYS_FILE ? devKeys(keysFile) : undefined;
  let kafka: ProvidedKafka | undefined;
  let redis: ProvidedRedis | undefined;
  let services: RunningService[] = [];
  let bus: Bus | undefined;
  const stop = async () => {
    await stopServices(services);
    await Promise.allSettled([kafka?.stop(), redis?.stop()]);
  };
  const rejectPhones = env.DEV_SMS_REJECT ? env.DEV_SMS_REJECT.split(',').map((p) => p.trim()) : DEFAULT_REJECTED_PHONES;
  // A channel without provider settings goes to its development sink: the messages settle and can
  // be seen in the console, instead of waiting on a topic for a worker nobody starts.
  let devChannels = devSinkChannels(env);
  const devPushEnv = () => {
    if (!devChannels.includes('push')) return {};
    const vapid = devVapid(stateDir);
    return { WEB_PUSH_VAPID_PUBLIC_KEY: vapid.publicKey, WEB_PUSH_VAPID_PRIVATE_KEY: vapid.privateKey, WEB_PUSH_VAPID_SUBJECT: 'mailto:quantri@localhost' };
  };
  let names = env.GATEWAY_SERVICES ? chooseServices(env) : [...SERVICES];
  let sinks: DevSinks | undefined;
  try {
    if (embeddedMode) {
      say('• Embedded mode: in-process bus and in-memory store (no Kafka, no Redis); development sinks for SMS, email and web push.');
      const serviceEnv = {
        LOG_LEVEL: 'error',
        // Unused in embedded mode (nothing connects to them); the settings require a value.
        KAFKA_BROKERS: 'in-process:0',
        REDIS_URL: 'redis://in-process',
        ...devPushEnv(),
        ATTENDANCE_LINK_SECRET: devAttendanceSecret(stateDir),
        ...env,
        GATEWAY_KEYS_FILE: keysFile,
      };
      const settings = loadServiceSettings(names, serviceEnv, { devSinks: true });
      const infra = createEmbeddedInfra({ intake: settings.intake, push: settings.push });
      bus = infra.bus;
      // The development sink of web push writes to the same inbox the push worker serves.
      sinks = createDevSinks({ inbox: infra.inbox, rejectPhones });
      services = await startConfiguredServices(settings, { infra, sinks, devPush: devChannels.includes('push') });
    } else {
      const dirs = localInfraDirs(stateDir);
      if (options.fresh) {
        for (const dir of [dirs.kafka, dirs.redis]) rmSync(dir, { recursive: true, force: true });
        say('• --fresh: the local broker\'s and redis-server\'s kept data were deleted.');
      }
      if (!env.KAFKA_BROKERS) say(`• No KAFKA_BROKERS set: starting a local Kafka broker, data kept in ${dirs.kafka} (the first run downloads it from Maven Central)…`);
      if (!env.REDIS_URL) say(`• No REDIS_URL set: starting a local redis-server, append-only data kept in ${dirs.redis}…`);
      [kafka, redis] = await Promise.all([
        provideKafka(env, { log: say, local: { dataDir: dirs.kafka } }),
        provideRedis(env, { log: say, local: { dir: dirs.redis, appendonly: true } }),
      ]);
      say(`• Kafka: ${kafka.description}`);
      say(`• Redis: ${redis.description}`);
      if (kafka.kind === 'local' || redis.kind === 'local') say('  (kept across restarts: npm start -- --fresh starts empty)');
      if (kafka.kind !== 'local' && devChannels.length) {
        // On a cluster npm start did not start, real workers may share the channel groups: a sink
        // there would take their partitions and settle real messages without sending them.
        const idle = devChannels;
        devChannels = [];
        names = names.filter((n) => !(idle as readonly string[]).includes(n));
        say(`• Not started: the ${idle.join(', ')} worker${idle.length > 1 ? 's' : ''} (no provider configured; ${idle.includes('push') ? 'push also serves the in-app inbox; ' : ''}no development sinks on a Kafka that npm start did not start, where they would take real messages). ${PROVIDER_SETTINGS}`);
      }
      sinks = devChannels.length ? createDevSinks({ rejectPhones }) : undefined;
      if (devChannels.length) say(`• No provider configured for ${devChannels.join(', ')}: those messages go to development sinks (captured, not sent; see "Hộp thư thử nghiệm" in the console). ${PROVIDER_SETTINGS}`);
      const serviceEnv = { LOG_LEVEL: 'error', ...devPushEnv(), ATTENDANCE_LINK_SECRET: devAttendanceSecret(stateDir), ...env, KAFKA_BROKERS: kafka.brokers.join(','), REDIS_URL: redis.url, GATEWAY_KEYS_FILE: keysFile };
      services = await startServices(names, serviceEnv, { sinks, devPush: devChannels.includes('push') });
      bus = createKafkaBus({ brokers: kafka.brokers, clientId: 'gateway-dev' }, createLogger({ name: 'gateway', level: 'error' }));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const url = (name: string) => services.find((x) => x.name === name)?.url ?? '(not running)';
  const topics = env.TOPIC_PREFIX ? withPrefix(env.TOPIC_PREFIX) : TOPICS;
  return { services, keys, embedded: embeddedMode, devChannels, bus: bus as Bus, topics, sinks, url, stop };
}

const PROVIDER_SETTINGS = 'Real providers: SMS_PROVIDERS, SMTP_HOST (and EMAIL_FROM), WEB_PUSH_VAPID_* (see the README).';

/** The channels with no provider settings, which `npm start` serves with development sinks. */
export function devSinkChannels(env: Record<string, string | undefined>): Array<'sms' | 'email' | 'push'> {
  return [...(env.SMS_PROVIDERS ? [] : (['sms'] as const)), ...(env.SMTP_HOST ? [] : (['email'] as const)), ...(env.WEB_PUSH_VAPID_PUBLIC_KEY ? [] : (['push'] as const))];
}

async function main(): Promise<void> {
  const started = Date.now();
  const say = (line: string) => console.log(line);
  say('Cổng thông báo họp và văn bản — starting (Ctrl-C to stop)');
  let gateway: DevGateway;
  try {
    gateway = await startDevGateway(process.env, say, { fresh: process.argv.includes('--fresh') });
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : `could not start: ${(err as Error).message}`);
    process.exit(1);
  }
  const { url, keys, services } = gateway;
  const keysFileShown = process.env.GATEWAY_KEYS_FILE ?? '.gateway/keys.json';
  const shutdown = () => void gateway.stop().then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  exitOnFailure('gateway', firstServiceFailure(services), gateway.stop);
  const idle = (['sms', 'email', 'push'] as const).filter((c) => !services.some((x) => x.name === c));
  say(`
Ready in ${((Date.now() - started) / 1000).toFixed(1)} s.

  Console (operators):  ${url('operator')}/console/      sign in with a key below
  Intake:               ${url('intake')}/v1/events      (health: ${url('intake')}/readyz)
  Directory API:        ${url('renderer')}/v1/directory
  Inbox and push API:   ${url('push')}/v1/inbox
  Attendance page:      ${url('operator')}/x/<code>      (the personal link in each invitation that asks for confirmation)
${idle.length ? `  Channels:             ${idle.join(', ')} not started (GATEWAY_SERVICES): their messages wait on Kafka until a worker runs.\n` : ''}${
  !gateway.embedded && gateway.devChannels.length
    ? `  Development sinks:    ${gateway.devChannels.join(', ')} (no provider configured): captured, not sent; see "Hộp thư thử nghiệm" in the console.\n`
    : ''
}
${
  keys
    ? `  Development keys (stored hashed in ${keysFileShown}; real keys: npm run gateway -- keys create):
    admin   ${keys.admin}
    viewer  ${keys.viewer}   (read only: sees no resend buttons)
`
    : `  Keys:                 from ${keysFileShown} (no development keys are added to a real keys file)
`
}${
  gateway.embedded
    ? `
  Data:   IN MEMORY ONLY — every event, message and status is lost when you stop.
          Set KAFKA_BROKERS and REDIS_URL to run on Kafka and Redis.
  Sinks:  SMS, email and web push are captured, not sent: see "Hộp thư thử nghiệm" in the console.
          SMS to ${DEFAULT_REJECTED_PHONES.join(', ')} and email to *.invalid are refused on purpose (to try resend).
`
    : `
  Data:   kept in Kafka and Redis across restarts${process.env.KAFKA_BROKERS && process.env.REDIS_URL ? '' : ` (a local broker or redis-server keeps it under ${STATE}; npm start -- --fresh starts empty)`}.
`
}
Send a first event:

  curl -sS -X POST ${url('intake')}/v1/events \\
    -H 'Authorization: Bearer ${keys?.admin ?? '<your key>'}' -H 'Content-Type: application/json' \\
    --data @contracts/examples/meeting-scheduled-hoi-nghi-bch.json

Or run the demo (sample directory, a conference, a change, urgent and secret documents, a failure):

  npm run demo
`);
}

if (require.main === module) void main();
