import type { SmsMessage } from '@gateway/contracts';
import { ProviderError, type ChannelSender } from './ports';
import { ThrottledError } from './errors';
import { createFailoverSender } from './failover';

type Behaviour = 'ok' | 'transient' | 'permanent' | 'throttled';

function fake(name: string, script: Behaviour[] | (() => Behaviour)): ChannelSender<SmsMessage> & { calls: number } {
  const sender = {
    name,
    calls: 0,
    async send() {
      const behaviour: Behaviour = typeof script === 'function' ? script() : (script[sender.calls] ?? script[script.length - 1] ?? 'ok');
      sender.calls += 1;
      if (behaviour === 'ok') return { provider: name, providerMessageId: `${name}-${sender.calls}` };
      if (behaviour === 'throttled') throw new ThrottledError(name, 500);
      throw new ProviderError(`${name} ${behaviour}`, behaviour, { provider: name, code: behaviour === 'permanent' ? '21211' : '503', retryAfterMs: 2000 });
    },
  };
  return sender;
}

const message = {} as SmsMessage;
const options = { failureThreshold: 2, windowMs: 60_000, cooldownMs: 60_000 };

describe('failover across providers', () => {
  it('when the first provider answers, then it is used and the result names it', async () => {
    const a = fake('twilio', ['ok']);
    const b = fake('esms', ['ok']);
    await expect(createFailoverSender([a, b], options).send(message)).resolves.toMatchObject({ provider: 'twilio' });
    expect(b.calls).toBe(0);
  });

  it('when the first provider fails transiently under the threshold, then the error comes back (retried later on it), the second is not tried', async () => {
    const a = fake('twilio', ['transient']);
    const b = fake('esms', ['ok']);
    await expect(createFailoverSender([a, b], options).send(message)).rejects.toMatchObject({ errorClass: 'transient', details: { provider: 'twilio' } });
    expect(b.calls).toBe(0);
  });

  it('when the first provider\'s failures open its circuit, then the same call and the next ones go to the second provider', async () => {
    const a = fake('twilio', ['transient']);
    const b = fake('esms', ['ok']);
    const failover = createFailoverSender([a, b], options);
    await expect(failover.send(message)).rejects.toBeInstanceOf(ProviderError);
    await expect(failover.send(message)).resolves.toMatchObject({ provider: 'esms' });
    await expect(failover.send(message)).resolves.toMatchObject({ provider: 'esms' });
    expect(a.calls).toBe(2);
    expect(failover.circuits()).toEqual([
      { provider: 'twilio', state: 'open' },
      { provider: 'esms', state: 'closed' },
    ]);
  });

  it('when a provider refuses the message permanently, then the error is final: the next provider is not tried', async () => {
    const a = fake('twilio', ['permanent']);
    const b = fake('esms', ['ok']);
    await expect(createFailoverSender([a, b], options).send(message)).rejects.toMatchObject({ errorClass: 'permanent' });
    expect(b.calls).toBe(0);
  });

  it('when a provider has no rate-limit turn, then the throttle comes back as it is and does not count as a failure', async () => {
    const a = fake('twilio', ['throttled', 'throttled', 'throttled', 'ok']);
    const b = fake('esms', ['ok']);
    const failover = createFailoverSender([a, b], options);
    for (let i = 0; i < 3; i += 1) await expect(failover.send(message)).rejects.toBeInstanceOf(ThrottledError);
    await expect(failover.send(message)).resolves.toMatchObject({ provider: 'twilio' });
    expect(b.calls).toBe(0);
  });

  it('when every circuit is open, then a transient error says so, with the time until the first probe', async () => {
    const a = fake('twilio', ['transient']);
    const b = fake('esms', ['transient']);
    const failover = createFailoverSender([a, b], { ...options, failureThreshold: 1 });
    await expect(failover.send(message)).rejects.toMatchObject({ details: { provider: 'esms' } });
    const err = await failover.send(message).catch((e: unknown) => e);
    expect(err).toMatchObject({ errorClass: 'transient', details: { code: 'ALL_CIRCUITS_OPEN' } });
    expect((err as ProviderError).details.retryAfterMs).toBeGreaterThan(59_000);
  });

  it('when a sender breaks its contract and throws something else, then it becomes a transient ProviderError', async () => {
    const broken: ChannelSender<SmsMessage> = { name: 'broken', send: async () => Promise.reject(new TypeError('boom')) };
    await expect(createFailoverSender([broken], options).send(message)).rejects.toMatchObject({ errorClass: 'transient', details: { code: 'UNEXPECTED' } });
  });

  it('when providers are misconfigured, then the failover refuses to build', () => {
    expect(() => createFailoverSender([], options)).toThrow(/at least one/);
    expect(() => createFailoverSender([fake('a', ['ok']), fake('a', ['ok'])], options)).toThrow(/unique/);
  });
});
