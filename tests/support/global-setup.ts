import { provideKafka, provideRedis, type ProvidedKafka, type ProvidedRedis } from '@gateway/infra';
import { setInfraState } from './infra-state';

/**
 * Starts the Kafka and Redis shared by the whole test run (see infra/src/provide.ts for how they are
 * chosen) and publishes them as KAFKA_BROKERS / REDIS_URL: jest spawns its workers after this, so they
 * inherit the variables (tests read them through tests/support/infra.ts).
 * GATEWAY_TEST_INFRA=none starts nothing, for quick unit-only runs.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.GATEWAY_TEST_INFRA === 'none') {
    console.log('\n[infra] GATEWAY_TEST_INFRA=none: no Kafka or Redis started.');
    return;
  }
  const started = Date.now();
  // Only our own notes (e.g. the one-time jar download), not the broker's log.
  const infraNotes = (line: string): void => {
    if (line.startsWith('[infra]')) console.log(line);
  };
  const timed = async <T>(start: () => Promise<T>): Promise<{ value: T; ms: number }> => {
    const t0 = Date.now();
    const value = await start();
    return { value, ms: Date.now() - t0 };
  };
  // In parallel: the JVM takes seconds, redis-server milliseconds.
  const [kafka, redis] = await Promise.allSettled([
    timed(() => provideKafka(process.env, { local: { logger: infraNotes } })),
    timed(() => provideRedis(process.env)),
  ]);
  if (kafka.status === 'rejected' || redis.status === 'rejected') {
    // Do not leave the half that did start running.
    await Promise.allSettled([kafka, redis].map((result) => (result.status === 'fulfilled' ? result.value.value.stop() : undefined)));
    throw [kafka, redis].find((result): result is PromiseRejectedResult => result.status === 'rejected')?.reason;
  }
  const state: { kafka: ProvidedKafka; redis: ProvidedRedis } = { kafka: kafka.value.value, redis: redis.value.value };
  setInfraState(state);
  process.env.KAFKA_BROKERS = state.kafka.brokers.join(',');
  process.env.REDIS_URL = state.redis.url;
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  console.log(
    `\n[infra] Kafka: ${state.kafka.kind} ${state.kafka.brokers.join(',')} (${state.kafka.description}, ${seconds(kafka.value.ms)}); ` +
      `Redis: ${state.redis.kind} (${state.redis.description}, ${seconds(redis.value.ms)}); ready in ${seconds(Date.now() - started)}`,
  );
}
