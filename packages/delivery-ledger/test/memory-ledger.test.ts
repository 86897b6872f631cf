import { createMemoryLedger, type UnreadableFailedRecord } from '../src';
import { smsMessage } from './fixtures';
import { describeDeliveryLedgerConformance } from './ledger-conformance';

describeDeliveryLedgerConformance('memory', {
  scope: () => {
    const stored = new Map<string, string>();
    const unreadable: UnreadableFailedRecord[] = [];
    const shared = createMemoryLedger({ stored, onUnreadable: (p) => unreadable.push(p) });
    return {
      // One process: both "replicas" are workers on the same state.
      shared: () => shared,
      putRawFailed: async (messageId, raw) => {
        stored.set(messageId, raw);
      },
      unreadable,
    };
  },
});

describe('the memory ledger: kept copies', () => {
  it('when a kept copy has expired, then a late undelivered report finds nothing; the oldest copies go past the bound', async () => {
    let now = 1_000_000;
    const failed = createMemoryLedger({ maxRecords: 2, now: () => now }).forWorker({ owner: 't', leaseMs: 1000, waitMs: 0, doneTtlMs: 60_000, failedRecordTtlMs: 60_000 });
    const [a, b, c] = [smsMessage('exp', 1), smsMessage('exp', 2), smsMessage('exp', 3)];
    await failed.keepSentCopy(a, 1_000);
    now += 1_001;
    expect(await failed.recordUndelivered(a.id, { at: '2025-09-29T01:05:00.000Z', provider: 'twilio' })).toBeUndefined();
    await failed.keepSentCopy(b, 60_000);
    await failed.keepSentCopy(c, 60_000);
    await failed.keepSentCopy(a, 60_000);
    // Bound of 2: b, the oldest, is gone.
    expect(await failed.recordUndelivered(b.id, { at: '2025-09-29T01:05:00.000Z', provider: 'twilio' })).toBeUndefined();
    expect(await failed.recordUndelivered(c.id, { at: '2025-09-29T01:05:00.000Z', provider: 'twilio' })).toMatchObject({ messageId: c.id, state: 'undelivered' });
  });
});
