import { waitFor } from '@gateway/tests/support/infra';
import type { ClaimOptions, DeliveryLedger, SharedLedger, UnreadableFailedRecord } from '../src';
import { smsMessage } from './fixtures';

/** One test's share of a ledger: its own Redis keys, or its own in-memory state. */
export interface LedgerScope {
  /** The shared state as replica 0 (`0`) or 1 (another Redis client) sees it; both see the same records and claims. */
  shared(replica: 0 | 1): SharedLedger;
  /** Writes a value where the adapter keeps the record of `messageId`, as a bug or another version could. */
  putRawFailed(messageId: string, raw: string, at: string): Promise<void>;
  /** What the failed-record reads reported as unreadable. */
  unreadable: UnreadableFailedRecord[];
}

export interface LedgerBackend {
  scope(): LedgerScope;
}

const worker = (scope: LedgerScope, replica: 0 | 1, options: ClaimOptions): DeliveryLedger => scope.shared(replica).forWorker({ ...options, failedRecordTtlMs: 60_000 });

/** The rules every adapter of the DeliveryLedger port keeps: Redis (production) and memory (embedded mode). */
export function describeDeliveryLedgerConformance(name: string, backend: LedgerBackend): void {
  describe(`the delivery ledger on ${name}`, () => {
    describe('claims', () => {
      const options = { leaseMs: 2_000, waitMs: 0, doneTtlMs: 60_000, owner: 'test', pollMs: 20 };

      it('when two replicas claim the same message at once, then exactly one gets it', async () => {
        const k = backend.scope();
        const a = worker(k, 0, options);
        const b = worker(k, 1, { ...options, owner: 'other' });
        const results = await Promise.all([a.claim('m1'), b.claim('m1'), a.claim('m1'), b.claim('m1')]);
        expect(results.filter((r) => r.kind === 'acquired')).toHaveLength(1);
        expect(results.filter((r) => r.kind === 'busy')).toHaveLength(3);
      });

      it('when the message was marked sent, then a later claim reports it done with the provider, without taking it', async () => {
        const store = worker(backend.scope(), 0, options);
        expect((await store.claim('m1')).kind).toBe('acquired');
        await store.markSent('m1', { at: '2025-09-29T01:00:00.000Z', attempt: 2, provider: 'esms', providerMessageId: 'abc' });
        expect(await store.claim('m1')).toEqual({ kind: 'done', claim: { state: 'sent', at: '2025-09-29T01:00:00.000Z', attempt: 2, provider: 'esms', providerMessageId: 'abc' } });
      });

      it('when another owner holds the claim, then a waiter gets it as soon as it is released', async () => {
        const k = backend.scope();
        const holder = worker(k, 0, options);
        const waiter = worker(k, 1, { ...options, owner: 'waiter', waitMs: 5_000 });
        const held = await holder.claim('m1');
        if (held.kind !== 'acquired') throw new Error('expected the claim');
        // Read after each attempt that found the claim taken: proof the waiter is really waiting.
        let busyAttempts = 0;
        const waiting = waiter.claim('m1', {
          get aborted() {
            busyAttempts += 1;
            return false;
          },
        });
        await waitFor(() => busyAttempts >= 1, { message: 'the waiter found the claim taken' });
        await holder.release('m1', held.token);
        expect((await waiting).kind).toBe('acquired');
      });

      it('when the owner died holding the claim, then the claim is free again after the lease', async () => {
        const k = backend.scope();
        const dead = worker(k, 0, { ...options, leaseMs: 300 });
        const waiter = worker(k, 1, { ...options, owner: 'waiter', waitMs: 5_000 });
        expect((await dead.claim('m1')).kind).toBe('acquired');
        const started = Date.now();
        expect((await waiter.claim('m1')).kind).toBe('acquired');
        expect(Date.now() - started).toBeGreaterThanOrEqual(200);
      });

      it("when a claim is released with another owner's token, then it stays", async () => {
        const store = worker(backend.scope(), 0, options);
        expect((await store.claim('m1')).kind).toBe('acquired');
        await store.release('m1', 'someone-else:1:000000');
        expect(await store.peekClaim('m1')).toMatchObject({ state: 'sending' });
      });

      it('when two workers share the state, then each claims with its own owner and its own lease', async () => {
        const k = backend.scope();
        const sms = worker(k, 0, { ...options, owner: 'worker-sms', leaseMs: 300 });
        const email = worker(k, 0, { ...options, owner: 'worker-email', leaseMs: 60_000 });
        expect((await email.claim('m1')).kind).toBe('acquired');
        expect((await sms.claim('m2')).kind).toBe('acquired');
        expect(await sms.peekClaim('m1')).toEqual({ state: 'sending', owner: expect.stringMatching(/^worker-email:/) });
        expect(await email.peekClaim('m2')).toEqual({ state: 'sending', owner: expect.stringMatching(/^worker-sms:/) });
        // The sms worker's short lease ends; the email worker's long one holds.
        const waiting = { ...options, waitMs: 5_000 };
        expect((await worker(k, 1, { ...waiting, owner: 'later' }).claim('m2')).kind).toBe('acquired');
        expect((await worker(k, 1, { ...waiting, owner: 'later', waitMs: 600 }).claim('m1')).kind).toBe('busy');
      });
    });

    describe('failed records and kept copies', () => {
      const options = { leaseMs: 1000, waitMs: 0, doneTtlMs: 60_000, owner: 't' };

      it('when a failure is recorded, then the record, the index and the final claim are written together', async () => {
        const ledger = worker(backend.scope(), 0, options);
        const message = smsMessage('fr', 1);
        await ledger.recordFailure({ messageId: message.id, eventId: message.eventId, channel: 'sms', recipient: message.recipient, state: 'failed', reason: 'invalid number', errorClass: 'permanent', code: '21211', attempts: 1, at: '2025-09-29T01:00:00.000Z', message });
        expect(await ledger.getFailed(message.id)).toMatchObject({ reason: 'invalid number', code: '21211', message: { id: message.id } });
        expect((await ledger.listFailed()).map((r) => r.messageId)).toEqual([message.id]);
        expect(await ledger.claim(message.id)).toEqual({ kind: 'done', claim: { state: 'failed', at: '2025-09-29T01:00:00.000Z', attempt: 1 } });
      });

      it('when a worker records a failure, then the operator reads it from the shared state', async () => {
        const k = backend.scope();
        const message = smsMessage('fr-shared', 1);
        await worker(k, 0, options).recordFailure({ messageId: message.id, eventId: message.eventId, channel: 'sms', recipient: message.recipient, state: 'dead', reason: 'gave up', errorClass: 'transient', attempts: 5, at: '2025-09-29T01:00:00.000Z', message });
        expect(await k.shared(1).getFailed(message.id)).toMatchObject({ state: 'dead', attempts: 5, message: { id: message.id } });
        expect((await k.shared(1).listFailed({ limit: 10 })).map((r) => r.messageId)).toEqual([message.id]);
      });

      it('when a stored record no longer parses, then reads skip it and report its id and what is wrong, never its contact', async () => {
        const k = backend.scope();
        const ledger = worker(k, 0, options);
        const [good, broken] = [smsMessage('unreadable', 1), smsMessage('unreadable', 2)];
        const phone = broken.recipient.phone ?? '';
        const at = '2025-09-29T01:00:00.000Z';
        const fields = { eventId: good.eventId, channel: 'sms', state: 'failed', reason: 'invalid number', errorClass: 'permanent', attempts: 1, at } as const;
        await ledger.recordFailure({ ...fields, messageId: good.id, recipient: good.recipient, message: good });
        // Cut short (a JSON error's own message would quote this text, phone and all) ...
        await k.putRawFailed('cut-short', `{"messageId":"cut-short","recipient":{"phone":"${phone}"`, at);
        // ... and valid JSON with a state and an attempt count this version does not know.
        await k.putRawFailed(broken.id, JSON.stringify({ ...fields, messageId: broken.id, recipient: broken.recipient, message: broken, state: 'lost', attempts: 0 }), at);

        expect(await ledger.getFailed('cut-short')).toBeUndefined();
        expect(await ledger.getFailed(broken.id)).toBeUndefined();
        expect((await ledger.listFailed()).map((r) => r.messageId)).toEqual([good.id]);
        expect(k.unreadable).toContainEqual({ messageId: 'cut-short', reason: 'not JSON' });
        expect(k.unreadable).toContainEqual({ messageId: broken.id, reason: expect.stringMatching(/^state: .+; attempts: .+$/) });
        expect(JSON.stringify(k.unreadable)).not.toContain(phone);
      });

      it('when a sent message whose copy is kept is reported undelivered, then its copy becomes a failed record in state undelivered and its claim stays sent', async () => {
        const ledger = worker(backend.scope(), 0, options);
        const message = smsMessage('ud', 1);
        await ledger.markSent(message.id, { at: '2025-09-29T01:00:00.000Z', attempt: 1, provider: 'twilio', providerMessageId: 'SM1' });
        await ledger.keepSentCopy(message, 60_000);
        expect(await ledger.getFailed(message.id)).toBeUndefined(); // a kept copy is not a failure
        expect(await ledger.listFailed()).toEqual([]);

        const report = { at: '2025-09-29T01:05:00.000Z', provider: 'twilio', code: '30005', answer: 'twilio undelivered (error 30005)' };
        const record = await ledger.recordUndelivered(message.id, report);
        expect(record).toMatchObject({ messageId: message.id, state: 'undelivered', code: '30005', provider: 'twilio', providerAnswer: 'twilio undelivered (error 30005)', errorClass: 'permanent', attempts: 1, at: report.at, recipient: message.recipient, message });
        expect(await ledger.getFailed(message.id)).toEqual(record);
        expect((await ledger.listFailed()).map((r) => r.messageId)).toEqual([message.id]);
        // The same report again, handled later (Twilio retries a callback): the first record stands.
        expect(await ledger.recordUndelivered(message.id, { ...report, at: '2025-09-29T01:09:00.000Z' })).toEqual(record);
        expect(await ledger.getFailed(message.id)).toEqual(record);
        expect(await ledger.listFailed()).toHaveLength(1);
        expect(await ledger.claim(message.id)).toEqual({ kind: 'done', claim: { state: 'sent', at: '2025-09-29T01:00:00.000Z', attempt: 1, provider: 'twilio', providerMessageId: 'SM1' } });
      });

      it('when a message without a kept copy is reported undelivered, then there is no failed record; and recording an undelivered one as a failure is refused', async () => {
        const ledger = worker(backend.scope(), 0, options);
        const message = smsMessage('ud-none', 1);
        expect(await ledger.recordUndelivered(message.id, { at: '2025-09-29T01:05:00.000Z', provider: 'twilio' })).toBeUndefined();
        expect(await ledger.listFailed()).toEqual([]);
        await expect(ledger.recordFailure({ messageId: message.id, eventId: message.eventId, channel: 'sms', recipient: message.recipient, state: 'undelivered', reason: 'x', errorClass: 'permanent', attempts: 1, at: '2025-09-29T01:05:00.000Z', message })).rejects.toThrow(/keeps its sent claim/);
      });
    });
  });
}
