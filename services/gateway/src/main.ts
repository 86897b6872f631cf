/**
 * Several services in one process, each from its own composition root and its own settings.
 * GATEWAY_SERVICES picks them (comma-separated); by default: intake, renderer and operator, plus
 * each channel worker whose provider is configured (SMS_PROVIDERS, SMTP_HOST, WEB_PUSH_VAPID_PUBLIC_KEY).
 */
import { ConfigError, createLogger, exitOnFailure, firstFailure } from '@gateway/common';
import { loadWorkerSettings, startChannelWorker } from '@gateway/worker-core';
import type { DevSinks } from './dev-sinks';
import { pushStores, workerStores, type EmbeddedInfra } from './embedded-infra';
import { loadIntakeSettings, startIntake } from '@gateway/intake';
import { loadRendererSettings, startRenderer } from '@gateway/renderer';
import { loadOperatorSettings, startOperator } from '@gateway/operator';
import { loadSmsWorkerSettings, startSmsWorker } from '@gateway/worker-sms';
import { loadEmailWorkerSettings, startEmailWorker } from '@gateway/worker-email';
import { loadPushWorkerSettings, startPushWorker } from '@gateway/worker-push';

export const SERVICES = ['intake', 'renderer', 'operator', 'sms', 'email', 'push'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface RunningService {
  name: ServiceName;
  url?: string;
  stop: () => Promise<void>;
  /** Resolves when one of its consumers stopped for good (see superviseConsumer). */
  failed?: Promise<Error>;
}

/** The first service of a process to fail for good, named. */
export function firstServiceFailure(running: RunningService[]): Promise<Error> {
  return firstFailure(running.map((s) => s.failed?.then((err) => new Error(`${s.name}: ${err.message}`))));
}

export function chooseServices(env: Record<string, string | undefined>): ServiceName[] {
  if (env.GATEWAY_SERVICES) {
    const names = env.GATEWAY_SERVICES.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = names.filter((n) => !(SERVICES as readonly string[]).includes(n));
    if (unknown.length) throw new ConfigError('gateway', [`GATEWAY_SERVICES: unknown service(s) ${unknown.join(', ')}; known: ${SERVICES.join(', ')}`]);
    return names as ServiceName[];
  }
  return [
    'intake',
    'renderer',
    'operator',
    ...(env.SMS_PROVIDERS ? (['sms'] as const) : []),
    ...(env.SMTP_HOST ? (['email'] as const) : []),
    ...(env.WEB_PUSH_VAPID_PUBLIC_KEY ? (['push'] as const) : []),
  ];
}

export interface StartOptions {
  /** The in-process bus and in-memory stores (embedded mode) instead of Kafka and Redis. */
  infra?: EmbeddedInfra;
  /** Development sinks for the channels whose provider is not configured (embedded mode). */
  sinks?: DevSinks;
  /** Web push to the development sink too (the VAPID keys are throwaway ones). */
  devPush?: boolean;
}

export type ServiceSettings = ReturnType<typeof loadServiceSettings>;

/**
 * Validates every chosen service's settings first, so one run reports every bad setting. With
 * `devSinks`, a channel without provider settings runs the bare channel worker.
 */
export function loadServiceSettings(names: ServiceName[], env: Record<string, string | undefined>, options: { devSinks: boolean }) {
  const devSms = options.devSinks && !env.SMS_PROVIDERS;
  const devEmail = options.devSinks && !env.SMTP_HOST;
  const problems: string[] = [];
  const load = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof ConfigError) problems.push(...err.problems.map((p) => `${err.service}: ${p}`));
      else throw err;
      return undefined;
    }
  };
  const settings = {
    logLevel: env.LOG_LEVEL ?? 'info',
    intake: names.includes('intake') ? load(() => loadIntakeSettings(env)) : undefined,
    renderer: names.includes('renderer') ? load(() => loadRendererSettings(env)) : undefined,
    operator: names.includes('operator') ? load(() => loadOperatorSettings(env)) : undefined,
    sms: names.includes('sms') && !devSms ? load(() => loadSmsWorkerSettings(env)) : undefined,
    devSms: names.includes('sms') && devSms ? load(() => loadWorkerSettings('sms', env)) : undefined,
    email: names.includes('email') && !devEmail ? load(() => loadEmailWorkerSettings(env)) : undefined,
    devEmail: names.includes('email') && devEmail ? load(() => loadWorkerSettings('email', env)) : undefined,
    push: names.includes('push') ? load(() => loadPushWorkerSettings(env)) : undefined,
  };
  if (problems.length) throw new ConfigError('gateway', problems);
  return settings;
}

export async function startServices(names: ServiceName[], env: Record<string, string | undefined>, options: StartOptions = {}): Promise<RunningService[]> {
  return startConfiguredServices(loadServiceSettings(names, env, { devSinks: Boolean(options.sinks) }), options);
}

export async function startConfiguredServices(settings: ServiceSettings, options: StartOptions = {}): Promise<RunningService[]> {
  const { infra, sinks } = options;
  // Each service gets the bus and its stores from the embedded infrastructure, or connects itself.
  const bus = infra?.bus;
  const running: RunningService[] = [];
  try {
    // The renderer first (it creates every topic when KAFKA_CREATE_TOPICS is on), then the other
    // consumers, the intake last, so that accepted events are picked up at once.
    const logger = (name: string) => createLogger({ name, level: settings.logLevel });
    if (settings.renderer) running.push({ name: 'renderer', ...(await startRenderer(settings.renderer, { logger: logger('renderer'), bus, stores: infra?.renderer })) });
    // Embedded: the operator reads the same in-memory directory and failed records as the renderer and workers.
    if (settings.operator) running.push({ name: 'operator', ...(await startOperator(settings.operator, { logger: logger('operator'), stores: infra?.operator, bus, devOutbox: sinks?.outbox })) });
    if (settings.sms) running.push({ name: 'sms', ...(await startSmsWorker(settings.sms, { logger: logger('worker-sms'), bus, stores: infra && workerStores(infra, settings.sms.core) })) });
    if (settings.devSms && sinks) running.push({ name: 'sms', ...(await startChannelWorker({ channel: 'sms', sender: sinks.sms, settings: settings.devSms, logger: logger('worker-sms'), bus, stores: infra && workerStores(infra, settings.devSms) })) });
    if (settings.email) running.push({ name: 'email', ...(await startEmailWorker(settings.email, { logger: logger('worker-email'), bus, stores: infra && workerStores(infra, settings.email.core) })) });
    if (settings.devEmail && sinks) running.push({ name: 'email', ...(await startChannelWorker({ channel: 'email', sender: sinks.email, settings: settings.devEmail, logger: logger('worker-email'), bus, stores: infra && workerStores(infra, settings.devEmail) })) });
    if (settings.push) {
      // Web push goes to the development sink when the VAPID keys are the embedded mode's throwaway ones.
      const pushSender = sinks && options.devPush ? sinks.push : undefined;
      running.push({ name: 'push', ...(await startPushWorker(settings.push, { logger: logger('worker-push'), bus, stores: infra && pushStores(infra, settings.push), pushSender })) });
    }
    if (settings.intake) running.push({ name: 'intake', ...(await startIntake(settings.intake, { logger: logger('intake'), bus, stores: infra?.intake })) });
  } catch (err) {
    await stopServices(running);
    throw err;
  }
  return running;
}

/** Stops in reverse order: intake first (no new events), the consumers last. */
export async function stopServices(running: RunningService[]): Promise<void> {
  for (const s of [...running].reverse()) await s.stop().catch(() => undefined);
}

async function main(): Promise<void> {
  try {
    const names = chooseServices(process.env);
    const running = await startServices(names, process.env);
    for (const s of running) console.error(`gateway: ${s.name} running${s.url ? ` at ${s.url}` : ''}`);
    const missing = (['sms', 'email', 'push'] as const).filter((c) => !names.includes(c));
    if (missing.length) console.error(`gateway: no provider configured for ${missing.join(', ')}; those messages wait on their topics until a worker runs`);
    const shutdown = () => void stopServices(running).then(() => process.exit(0));
    process.once('SIGTERM', shutdown);
    process.once('SIGINT', shutdown);
    exitOnFailure('gateway', firstServiceFailure(running), () => stopServices(running));
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}

if (require.main === module) void main();
