import type { ProvidedKafka, ProvidedRedis } from '@gateway/infra';

/** What globalSetup started, kept on globalThis for globalTeardown (jest runs both in one process). */
export interface InfraState {
  kafka?: ProvidedKafka;
  redis?: ProvidedRedis;
}

const holder = globalThis as typeof globalThis & { __gatewayTestInfra?: InfraState };

export function getInfraState(): InfraState | undefined {
  return holder.__gatewayTestInfra;
}

export function setInfraState(state: InfraState | undefined): void {
  holder.__gatewayTestInfra = state;
}
