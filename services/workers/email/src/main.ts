import express from 'express';
import { allReady, closeOnce, createLogger, listenHttp, healthRoutes, noRoute, type Logger, runMain } from '@gateway/common';
import { startChannelWorker, type ChannelWorkerOptions, type RunningChannelWorker } from '@gateway/worker-core';
import { createSmtpSender } from './adapters/smtp-sender';
import { loadEmailWorkerSettings, toSmtpSenderSettings, type EmailWorkerSettings } from './settings';

export interface RunningEmailWorker {
  /** Base URL of the health endpoints. */
  url: string;
  worker: RunningChannelWorker;
  stop: () => Promise<void>;
  /** Resolves when the channel consumer stopped for good (the process must be restarted). */
  failed: Promise<Error>;
}

/** `bus` and `stores` (the embedded mode's): used instead of connecting to Kafka and Redis. */
export type EmailWorkerDeps = { logger?: Logger } & Pick<ChannelWorkerOptions<'email'>, 'bus' | 'stores'>;

/** Composition root of the email worker: the SMTP pool behind the channel worker core. */
export async function startEmailWorker(settings: EmailWorkerSettings, options: EmailWorkerDeps = {}): Promise<RunningEmailWorker> {
  const logger = options.logger ?? createLogger({ name: 'worker-email', level: settings.core.logLevel });
  const sender = createSmtpSender(toSmtpSenderSettings(settings.email), { logger });
  let worker: RunningChannelWorker;
  try {
    worker = await startChannelWorker({ channel: 'email', sender, settings: settings.core, logger, bus: options.bus, stores: options.stores });
  } catch (err) {
    await sender.close();
    throw err;
  }
  const app = express();
  app.disable('x-powered-by');
  // Ready while the worker holds its partitions; the SMTP relay is not probed (a relay outage is a
  // transient error per message, retried with back-off, not a reason to restart the worker).
  healthRoutes(app, () => allReady({ consuming: worker.consuming() }));
  app.use(noRoute());
  let http: Awaited<ReturnType<typeof listenHttp>>;
  try {
    http = await listenHttp(app, settings.email.http.host, settings.email.http.port);
  } catch (err) {
    await worker.stop();
    await sender.close();
    throw err;
  }
  logger.info({ url: http.url }, 'email worker started');
  const stop = closeOnce(
    [
      ['stop http', () => http.close()],
      ['stop channel worker', () => worker.stop()],
      ['close SMTP pool', () => sender.close()],
    ],
    { timeoutMs: settings.core.shutdownTimeoutMs + 2000, onError: (step, err) => logger.error({ step, err: (err as Error).message }, 'shutdown step failed') },
  );
  return { url: http.url, worker, stop, failed: worker.failed };
}

if (require.main === module) runMain('worker-email', () => startEmailWorker(loadEmailWorkerSettings(process.env)));
