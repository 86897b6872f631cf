import type { ChannelMessage } from '@gateway/contracts';
import { ProviderError, type ChannelSender, type SendResult } from './ports';
import { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from './circuit-breaker';
import { asProviderError, ThrottledError } from './errors';

export interface FailoverSender<M extends ChannelMessage> extends ChannelSender<M> {
  /** Each provider's circuit, in order; for health endpoints and tests. */
  circuits(): Array<{ provider: string; state: CircuitState }>;
}

/**
 * Providers in order of preference. The first whose circuit lets the call through gets it.
 * A transient error counts against that provider; while its circuit stays closed the error is
 * returned (the message is retried later, on the same provider: one 503 is not an outage). Once
 * the errors open its circuit, the same call goes on to the next provider at once, and so do the
 * following calls until a half-open probe finds the first one back. A permanent error is returned
 * as it is: the next provider would refuse the same number or content.
 */
export function createFailoverSender<M extends ChannelMessage>(providers: ReadonlyArray<ChannelSender<M>>, options: CircuitBreakerOptions & { name?: string }): FailoverSender<M> {
  if (providers.length === 0) throw new Error('createFailoverSender: at least one provider is required');
  const names = providers.map((p) => p.name);
  if (new Set(names).size !== names.length) throw new Error(`createFailoverSender: provider names must be unique; got ${names.join(', ')}`);
  const chain = providers.map((sender) => ({ sender, breaker: new CircuitBreaker(options) }));
  const name = options.name ?? names.join('>');

  return {
    name,
    circuits: () => chain.map(({ sender, breaker }) => ({ provider: sender.name, state: breaker.state })),
    async send(message: M): Promise<SendResult> {
      let lastTransient: ProviderError | undefined;
      let soonestProbe = Number.POSITIVE_INFINITY;
      for (const { sender, breaker } of chain) {
        if (!breaker.tryAcquire()) {
          soonestProbe = Math.min(soonestProbe, breaker.retryInMs);
          continue;
        }
        try {
          const result = await sender.send(message);
          breaker.success();
          return result;
        } catch (thrown) {
          const err = asProviderError(thrown, sender.name);
          if (err instanceof ThrottledError) {
            breaker.release();
            throw err;
          }
          if (err.errorClass === 'permanent') {
            // The provider answered, so it is up.
            breaker.success();
            throw err;
          }
          breaker.failure();
          lastTransient = err;
          if (breaker.state === 'closed') throw err;
        }
      }
      if (lastTransient) throw lastTransient;
      throw new ProviderError('every provider is unavailable (all circuits open)', 'transient', {
        provider: name,
        code: 'ALL_CIRCUITS_OPEN',
        retryAfterMs: Number.isFinite(soonestProbe) ? soonestProbe : undefined,
      });
    },
    async close() {
      await Promise.allSettled(providers.map((p) => p.close?.()));
    },
  };
}
