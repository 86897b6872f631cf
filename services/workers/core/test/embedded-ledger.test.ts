import { channelMessageSchema } from '@gateway/contracts';
import { createMemoryLedger } from '@gateway/delivery-ledger';
import { smsMessage } from './support/kafka';

// The embedded gateway gives each channel worker `stores.ledger = shared.forWorker(its options)`.
describe('the embedded delivery ledger', () => {
  const claim = { waitMs: 0, doneTtlMs: 60_000, failedRecordTtlMs: 60_000, pollMs: 20 };

  it('when two channel workers of one process take their ledger, then they share its state but each claims with its own owner and lease', async () => {
    const shared = createMemoryLedger();
    const sms = shared.forWorker({ ...claim, owner: 'worker-sms', leaseMs: 300 });
    const email = shared.forWorker({ ...claim, owner: 'worker-email', leaseMs: 60_000 });
    expect((await email.claim('m1')).kind).toBe('acquired');
    expect((await sms.claim('m2')).kind).toBe('acquired');
    expect(await shared.forWorker({ ...claim, owner: 'operator-tool', leaseMs: 1000 }).peekClaim('m1')).toEqual({ state: 'sending', owner: expect.stringMatching(/^worker-email:/) });
    expect(await sms.peekClaim('m2')).toEqual({ state: 'sending', owner: expect.stringMatching(/^worker-sms:/) });
    // The sms worker's short lease ends; the email worker's long one holds.
    const later = shared.forWorker({ ...claim, owner: 'later', leaseMs: 1000, waitMs: 5_000 });
    expect((await later.claim('m2')).kind).toBe('acquired');
    expect((await shared.forWorker({ ...claim, owner: 'later', leaseMs: 1000, waitMs: 600 }).claim('m1')).kind).toBe('busy');
  });

  it('when a worker records a failure, then the process ledger the operator reads has it', async () => {
    const shared = createMemoryLedger();
    const message = channelMessageSchema.parse(smsMessage('embedded-ledger', 1));
    await shared.forWorker({ ...claim, owner: 'worker-sms', leaseMs: 1000 }).recordFailure({ messageId: message.id, eventId: message.eventId, channel: 'sms', recipient: message.recipient, state: 'failed', reason: 'invalid number', errorClass: 'permanent', attempts: 1, at: '2025-09-29T01:00:00.000Z', message });
    expect(await shared.getFailed(message.id)).toMatchObject({ state: 'failed', message: { id: message.id } });
  });
});
