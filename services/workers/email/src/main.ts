import { createLogger, parseSettings, type Embedded, type Logger, runMain } from '@gateway/common';
import { loadWorkerSettings, SettingsProblems, startChannelWorker, type RunningChannelWorker, type WorkerSettings } from '@gateway/worker-core';
import { createSmtpSender } from './smtp-sender';
import { emailSettingsSchema, toSmtpSenderSettings, type EmailSettings } from './settings';

export interface RunningEmailWorker {
  worker: RunningChannelWorker;
  stop: () => Promise<void>;
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
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= worker.stop().finally(() => sender.close()));
  return { worker, stop };
}

if (require.main === module) runMain('worker-email', () => startEmailWorker(loadEmailWorkerSettings(process.env)));
