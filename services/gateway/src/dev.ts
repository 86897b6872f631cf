/**
 * `npm start`: the gateway on a fresh machine. Uses KAFKA_BROKERS / REDIS_URL when set; otherwise
 * starts a local Kafka broker (from Maven Central, first run downloads it) and a redis-server,
 * creates a development API key, starts the gateway's services and says how to send a first event.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { provideKafka, provideRedis, type ProvidedKafka, type ProvidedRedis } from '@gateway/infra';
import { ConfigError } from '@gateway/common';
import { createKey } from '@gateway/intake/src/cli/keys';
import { chooseServices, startServices, stopServices, type RunningService } from './main';

const ROOT = resolve(__dirname, '../../..');

function devKey(keysFile: string): string {
  // Development only: the plain key is kept beside the hashed keys file so every start can print
  // it. Production keys are created with `npm run keys` and shown once.
  const plainFile = join(ROOT, '.gateway', 'dev-key.txt');
  if (existsSync(plainFile) && existsSync(keysFile)) return readFileSync(plainFile, 'utf8').trim();
  const key = createKey(keysFile, `dev-${Date.now().toString(36)}`, ['admin']);
  writeFileSync(plainFile, `${key}\n`, { mode: 0o600 });
  return key;
}

async function main(): Promise<void> {
  const started = Date.now();
  const say = (line: string) => console.log(line);
  say('Cổng thông báo họp và văn bản — starting (Ctrl-C to stop)');
  mkdirSync(join(ROOT, '.gateway'), { recursive: true });
  const keysFile = process.env.GATEWAY_KEYS_FILE ?? join(ROOT, '.gateway', 'keys.json');
  const key = devKey(keysFile);

  if (!process.env.KAFKA_BROKERS) say('• No KAFKA_BROKERS set: starting a local Kafka broker (the first run downloads it from Maven Central)…');
  if (!process.env.REDIS_URL) say('• No REDIS_URL set: starting a local redis-server…');
  let kafka: ProvidedKafka | undefined;
  let redis: ProvidedRedis | undefined;
  let services: RunningService[] = [];
  const stop = async () => {
    await stopServices(services);
    await Promise.allSettled([kafka?.stop(), redis?.stop()]);
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(0)));
  process.once('SIGTERM', () => void stop().then(() => process.exit(0)));
  try {
    [kafka, redis] = await Promise.all([provideKafka(process.env, { log: say }), provideRedis(process.env, { log: say })]);
    say(`• Kafka: ${kafka.description}`);
    say(`• Redis: ${redis.description}`);
    const env = { LOG_LEVEL: 'error', ...process.env, KAFKA_BROKERS: kafka.brokers.join(','), REDIS_URL: redis.url, GATEWAY_KEYS_FILE: keysFile };
    services = await startServices(chooseServices(env), env);
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : `could not start: ${(err as Error).message}`);
    await stop();
    process.exit(1);
  }
  const local = kafka.kind === 'local' || redis.kind === 'local';
  const url = (name: string) => services.find((x) => x.name === name)?.url ?? '(not running)';
  const idle = (['sms', 'email', 'push'] as const).filter((c) => !services.some((x) => x.name === c));
  say(`
Ready in ${((Date.now() - started) / 1000).toFixed(1)} s.

  Intake:          ${url('intake')}/v1/events      (health: ${url('intake')}/readyz)
  Directory API:   ${url('renderer')}/v1/directory
  Notifications:   ${url('operator')}/v1/notifications/<message id>
${idle.length ? `  Channels:        ${idle.join(', ')} have no provider configured (see README: SMS_PROVIDERS, SMTP_HOST, WEB_PUSH_*);\n                   their messages wait on Kafka until a worker runs.\n` : ''}
  Development key: ${key}
                   (scope admin; stored hashed in ${keysFile}; create real keys with: npm run keys -- create)
${local ? '  Data:            the local Kafka and Redis keep their data in a temporary folder, removed when you stop.\n' : ''}
Send a first event:

  curl -sS -X POST ${url('intake')}/v1/events \\
    -H 'Authorization: Bearer ${key}' -H 'Content-Type: application/json' \\
    --data @contracts/examples/meeting-scheduled-hoi-nghi-bch.json
`);
}

void main();
