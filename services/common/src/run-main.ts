import { ConfigError } from './config';
import { KeysFileError } from './keys-file';

/**
 * The end of every service's main.ts: start it, stop it cleanly on SIGTERM/SIGINT, and refuse to
 * start with exit code 2 and a message naming every bad setting (or a broken keys file).
 */
export function runMain(name: string, start: () => Promise<{ stop: () => Promise<void> }>): void {
  // Settings are loaded synchronously inside start(): a throw there must land in the handler below.
  Promise.resolve().then(start).then(
    (running) => {
      const shutdown = (signal: string) => {
        console.error(`${name}: ${signal} received, shutting down`);
        void running.stop().then(() => process.exit(0));
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
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
