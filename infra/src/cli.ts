/**
 * Runs a local Kafka or Redis in the foreground until Ctrl-C:
 *   npx tsx infra/src/cli.ts kafka [--port N] [--data-dir DIR]   (npm run infra:kafka)
 *   npx tsx infra/src/cli.ts redis [--port N]
 * Without --data-dir the broker's data lives in a temp dir that is deleted on exit; with it, the data
 * is kept and reused by the next run.
 */
import { parseArgs } from 'node:util';
import { startLocalKafka } from './kafka-local';
import { startLocalRedis } from './redis-local';

const USAGE = 'usage: tsx infra/src/cli.ts kafka [--port N] [--data-dir DIR] [--verbose] | redis [--port N]';

interface Service {
  /** What exiting normally does (stop, and for a temp dir also delete it). */
  shutdown(): Promise<void>;
  /** Resolves if the server dies by itself. */
  waitForExit(): Promise<string>;
}

async function startService(argv: string[]): Promise<Service> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [what] = positionals;
  if (values.help || positionals.length !== 1) {
    console.log(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const port = values.port !== undefined ? Number(values.port) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new Error(`--port: not a port: ${values.port}`);
  const started = Date.now();

  if (what === 'kafka') {
    const dataDir = values['data-dir'];
    const kafka = await startLocalKafka({
      port,
      dataDir,
      logger: (line) => {
        if (values.verbose || line.startsWith('[infra]')) console.log(`  ${line}`);
      },
    });
    console.log(`Kafka ${kafka.version} ready in ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${kafka.pid}, data ${kafka.dataDir}${dataDir ? ', kept' : ', deleted on exit'})`);
    console.log(`KAFKA_BROKERS=${kafka.brokers.join(',')}`);
    console.log('Ctrl-C to stop.');
    return { shutdown: () => (dataDir ? kafka.stop() : kafka.remove()), waitForExit: () => kafka.waitForExit() };
  }
  if (what === 'redis') {
    const redis = await startLocalRedis({ port, logger: values.verbose ? (line) => console.log(`  ${line}`) : undefined });
    console.log(`redis-server ready in ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${redis.pid})`);
    console.log(`REDIS_URL=${redis.url}`);
    console.log('Ctrl-C to stop.');
    return { shutdown: () => redis.stop(), waitForExit: () => redis.waitForExit() };
  }
  console.error(USAGE);
  process.exit(2);
}

async function main(): Promise<void> {
  const state: { service?: Service; stopping: boolean } = { stopping: false };
  const shutdown = (running: Service): void => {
    running.shutdown().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  // Installed before anything starts: a Ctrl-C right after the address is printed must still stop cleanly.
  const onSignal = (signal: NodeJS.Signals): void => {
    if (state.stopping) {
      // A second Ctrl-C: leave now; the watchdog (see reaper.ts) still ends the server.
      process.exit(130);
    }
    state.stopping = true;
    console.log(`\n${signal}: stopping ...`);
    if (state.service) shutdown(state.service);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);

  const service = await startService(process.argv.slice(2));
  state.service = service;
  if (state.stopping) {
    // The signal came while starting.
    shutdown(service);
    return;
  }
  const reason = await service.waitForExit();
  if (!state.stopping) {
    console.error(`The server exited by itself (${reason}).`);
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
