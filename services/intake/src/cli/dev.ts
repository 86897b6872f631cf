/**
 * `npm start`: the gateway on a fresh machine. Uses KAFKA_BROKERS / REDIS_URL when set; otherwise
 * starts a local Kafka broker (from Maven Central, first run downloads it) and a redis-server,
 * creates a development API key, starts the intake and says how to send a first event.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { provideKafka, provideRedis, type ProvidedKafka, type ProvidedRedis } from '@gateway/infra';
import { ConfigError } from '@gateway/common';
import { loadIntakeSettings } from '../config';
import { startIntake, type RunningIntake } from '../main';
import { createKey } from './keys';

const ROOT = resolve(__dirname, '../../../..');

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
  let intake: RunningIntake | undefined;
  const stop = async () => {
    await intake?.stop();
    await Promise.allSettled([kafka?.stop(), redis?.stop()]);
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(0)));
  process.once('SIGTERM', () => void stop().then(() => process.exit(0)));
  try {
    [kafka, redis] = await Promise.all([provideKafka(process.env, { log: say }), provideRedis(process.env, { log: say })]);
    say(`• Kafka: ${kafka.description}`);
    say(`• Redis: ${redis.description}`);
    const settings = loadIntakeSettings({ LOG_LEVEL: 'error', ...process.env, KAFKA_BROKERS: kafka.brokers.join(','), REDIS_URL: redis.url, GATEWAY_KEYS_FILE: keysFile });
    intake = await startIntake(settings);
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : `could not start: ${(err as Error).message}`);
    await stop();
    process.exit(1);
  }
  const local = kafka.kind === 'local' || redis.kind === 'local';
  say(`
Ready in ${((Date.now() - started) / 1000).toFixed(1)} s.

  Intake:          ${intake.url}/v1/events      (health: ${intake.url}/readyz)
  Development key: ${key}
                   (scope admin; stored hashed in ${keysFile}; create real keys with: npm run keys -- create)
${local ? '  Data:            the local Kafka and Redis keep their data in a temporary folder, removed when you stop.\n' : ''}
Send a first event:

  curl -sS -X POST ${intake.url}/v1/events \\
    -H 'Authorization: Bearer ${key}' -H 'Content-Type: application/json' \\
    --data @contracts/examples/meeting-scheduled-hoi-nghi-bch.json
`);
}

void main();
