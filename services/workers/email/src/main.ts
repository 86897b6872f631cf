import express from 'express';
import { allReady, closeOnce, createLogger, listenHttp, parseSettings, healthRoutes, noRoute, type Embedded, type Logger, runMain } from '@gateway/common';
import { loadWorkerSettings, SettingsProblems, startChannelWorker, type RunningChannelWorker, type WorkerSettings } from '@gateway/worker-core';
import { createSmtpSender } from './smtp-sender';
import { emailSettingsSchema, toSmtpSenderSettings, type EmailSettings } from './settings';

export interface RunningEmailWorker {
  /** Base URL of the health endpoints. */
  url: string;
  worker: RunningChannelWorker;
  stop: () => Promise<void>;
  /** Resolves when the channel consumer stopped for good (the process must be restarted). */
  failed: Promise<Error>;
}

/** Every bad setting, of the core and of SMTP, in one message. */
export function loadEmailWorkerSettings(env: Record<string, string | undefined>): { core: WorkerSettings; email: EmailSettings } {
  const problems = new SettingsProblems('worker-email');
  const core = problems.take(() => loadWorkerSettings('email', env));
  const email = problems.take(() => parseSettings('worker-email', emailSettingsSchema, env));
  problems.check();
  return { core: core as WorkerSettings, email: email as EmailSettings };
}

/** Composition root of the email worker: the SMTP pool behind the channel worker core. */
export async function startEmailWorker(settings: { core: WorkerSettings; email: EmailSettings }, options: { logger?: Logger; embedded?: Embedded } = {}): Promise<RunningEmailWorker> {
  const logger = options.logger ?? createLogger({ name: 'worker-email', level: settings.core.logLevel });
  const sender = createSmtpSender(toSmtpSenderSettings(settings.email), { logger });
  let worker: RunningChannelWorker;
  try {
    worker = await startChannelWorker({ channel: 'email', sender, settings: settings.core, logger, embedded: options.embedded });
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
    http = await listenHttp(app, settings.email.EMAIL_HTTP_HOST, settings.email.EMAIL_HTTP_PORT);
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
