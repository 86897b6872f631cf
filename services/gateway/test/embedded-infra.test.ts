import { channelMessageSchema } from '@gateway/contracts';
import { loadWorkerSettings } from '@gateway/worker-core';
import { smsMessage } from '@gateway/tests/support/messages';
import { createEmbeddedInfra, pushStores, workerStores } from '../src/embedded-infra';

// Only read, never connected to: the settings require a value.
const env = { KAFKA_BROKERS: 'in-process:0', REDIS_URL: 'redis://in-process' };

describe('the embedded infrastructure', () => {
  it('when services of one process take their stores, then the operator reads the renderer\'s directory and the workers\' failed records', async () => {
    const infra = createEmbeddedInfra();
    expect(infra.operator.directory).toBe(infra.renderer.directory);
    expect(infra.renderer.directory).toBe(infra.directory);

    const sms = workerStores(infra, loadWorkerSettings('sms', env));
    const message = channelMessageSchema.parse(smsMessage('embedded-infra', 1));
    await sms.ledger.recordFailure({ messageId: message.id, eventId: message.eventId, channel: 'sms', recipient: message.recipient, state: 'failed', reason: 'invalid number', errorClass: 'permanent', attempts: 1, at: '2025-09-29T01:00:00.000Z', message });
    expect(await infra.operator.failed.getFailed(message.id)).toMatchObject({ state: 'failed', message: { id: message.id } });
  });

  it('when two channel workers take their stores, then they share the ledger and the limiter, each claims as its own owner, and each channel has its own delays', async () => {
    const infra = createEmbeddedInfra();
    const sms = workerStores(infra, loadWorkerSettings('sms', env));
    const email = workerStores(infra, loadWorkerSettings('email', env));
    expect((await sms.ledger.claim('m1')).kind).toBe('acquired');
    const seenBySms = await sms.ledger.peekClaim('m1');
    const seenByEmail = await email.ledger.peekClaim('m1');
    expect(seenByEmail).toEqual(seenBySms);
    expect(seenByEmail).toEqual({ state: 'sending', owner: expect.any(String) });
    expect((await email.ledger.claim('m2')).kind).toBe('acquired');
    expect(await sms.ledger.peekClaim('m2')).not.toEqual(seenBySms);
    expect(sms.limiter).toBe(email.limiter);
    expect(sms.delay).not.toBe(email.delay);
  });

  it('when the renderer records a meeting\'s new version, then every channel worker reads it', async () => {
    const infra = createEmbeddedInfra();
    const meeting = { kind: 'meeting', source: 'vpthanhuy-lichhop', id: 'H-2025-001' } as const;
    await infra.renderer.versions.raise(meeting, 2);
    const sms = workerStores(infra, loadWorkerSettings('sms', env));
    const push = pushStores(infra, { push: loadWorkerSettings('push', env), inapp: loadWorkerSettings('inapp', env) });
    for (const stores of [sms, push.push, push.inapp]) expect(await stores.versions.latest(meeting)).toEqual({ version: 2 });
  });

  it('when the push worker takes its stores, then its inbox is the one the development sink writes to', () => {
    const infra = createEmbeddedInfra();
    const push = pushStores(infra, { push: loadWorkerSettings('push', env), inapp: loadWorkerSettings('inapp', env) });
    expect(push.inbox).toBe(infra.inbox);
  });
});
