import { getInfraState, setInfraState } from './infra-state';

/** Stops what globalSetup started (an external Kafka/Redis is left alone: its stop() does nothing). */
export default async function globalTeardown(): Promise<void> {
  const state = getInfraState();
  if (!state) return;
  setInfraState(undefined);
  const results = await Promise.allSettled([state.kafka?.stop(), state.redis?.stop()]);
  for (const result of results) if (result.status === 'rejected') console.error('[infra] teardown:', result.reason);
}
