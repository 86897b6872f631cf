/**
 * Several services in one process, each from its own composition root and its own settings.
 * GATEWAY_SERVICES picks them (comma-separated); by default: intake, renderer and operator, plus
 * each channel worker whose provider is configured (SMS_PROVIDERS, SMTP_HOST, WEB_PUSH_VAPID_PUBLIC_KEY).
 */
import { ConfigError, createLogger } from '@gateway/common';
import { loadIntakeSettings, startIntake } from '@gateway/intake';
import { loadRendererSettings, startRenderer } from '@gateway/renderer';
import { loadOperatorSettings, startOperator } from '@gateway/operator';
import { startSmsWorker } from '@gateway/worker-sms/src/main';
import { loadSmsWorkerSettings } from '@gateway/worker-sms/src/config';
import { loadEmailWorkerSettings, startEmailWorker } from '@gateway/worker-email/src/main';
import { loadPushWorkerSettings, startPushWorker } from '@gateway/worker-push/src/main';

export const SERVICES = ['intake', 'renderer', 'operator', 'sms', 'email', 'push'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface RunningService {
  name: ServiceName;
  url?: string;
  stop: () => Promise<void>;
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

/** Validates every chosen service's settings first, so one run reports every bad setting. */
export async function startServices(names: ServiceName[], env: Record<string, string | undefined>): Promise<RunningService[]> {
  const level = env.LOG_LEVEL ?? 'info';
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
    intake: names.includes('intake') ? load(() => loadIntakeSettings(env)) : undefined,
    renderer: names.includes('renderer') ? load(() => loadRendererSettings(env)) : undefined,
    operator: names.includes('operator') ? load(() => loadOperatorSettings(env)) : undefined,
    sms: names.includes('sms') ? load(() => loadSmsWorkerSettings(env)) : undefined,
    email: names.includes('email') ? load(() => loadEmailWorkerSettings(env)) : undefined,
    push: names.includes('push') ? load(() => loadPushWorkerSettings(env)) : undefined,
  };
  if (problems.length) throw new ConfigError('gateway', problems);

  const running: RunningService[] = [];
  try {
    // The renderer first (it creates every topic when KAFKA_CREATE_TOPICS is on), then the other
    // consumers, the intake last, so that accepted events are picked up at once.
    if (settings.renderer) running.push({ name: 'renderer', ...(await startRenderer(settings.renderer, { logger: createLogger({ name: 'renderer', level }) })) });
    if (settings.operator) running.push({ name: 'operator', ...(await startOperator(settings.operator, { logger: createLogger({ name: 'operator', level }) })) });
    if (settings.sms) running.push({ name: 'sms', ...(await startSmsWorker(settings.sms, { logger: createLogger({ name: 'worker-sms', level }) })) });
    if (settings.email) running.push({ name: 'email', ...(await startEmailWorker(settings.email, { logger: createLogger({ name: 'worker-email', level }) })) });
    if (settings.push) running.push({ name: 'push', ...(await startPushWorker(settings.push, { logger: createLogger({ name: 'worker-push', level }) })) });
    if (settings.intake) running.push({ name: 'intake', ...(await startIntake(settings.intake, { logger: createLogger({ name: 'intake', level }) })) });
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
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}

if (require.main === module) void main();
