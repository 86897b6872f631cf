import { ConfigError } from './config';
import { KeysFileError } from './keys-file';

/** What a composition root returns: how to stop it, and (for a service with consumers) when it failed for good. */
export interface RunningMain {
  stop: () => Promise<void>;
  /** Resolves when the service cannot go on (a consumer stopped for good); see superviseConsumer. */
  failed?: Promise<Error>;
}

/**
 * When `failed` resolves: say why, stop what still runs, and exit with code 1, so that a
 * supervisor (systemd, Kubernetes, docker compose's restart policy) starts the process again
 * instead of leaving it up and doing nothing. Shared by every main (one service or several).
 */
export function exitOnFailure(name: string, failed: Promise<Error>, stop: () => Promise<void>): void {
  void failed.then(async (err) => {
    console.error(`${name}: ${err.message}; exiting with code 1 so that a supervisor restarts it`);
    await stop().catch(() => undefined);
    process.exit(1);
  });
}

/**
 * The end of every service's main.ts: start it, stop it cleanly on SIGTERM/SIGINT, exit non-zero
 * when it fails for good, and refuse to start with exit code 2 and a message naming every bad
 * setting (or a broken keys file).
 */
export function runMain(name: string, start: () => Promise<RunningMain>): void {
  // Settings are loaded synchronously inside start(): a throw there must land in the handler below.
  Promise.resolve().then(start).then(
    (running) => {
      const shutdown = (signal: string) => {
        console.error(`${name}: ${signal} received, shutting down`);
        void running.stop().then(() => process.exit(0));
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
      if (running.failed) exitOnFailure(name, running.failed, running.stop);
    },
    (err: unknown) => {
      if (err instanceof ConfigError || err instanceof KeysFileError) {
        console.error(err instanceof ConfigError ? err.message : `${name}: refusing to start: ${err.message}`);
        process.exit(2);
      }
      console.error(`${name}: could not start:`, err);
      process.exit(1);
    },
  );
}
