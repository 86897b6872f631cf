import { MemoryClaimStore } from '@gateway/worker-core';
import { createMemoryOperatorStores } from './stores';
import { describeOperatorStores } from '../../test/store-conformance';

describeOperatorStores('memory', async () => {
  const stores = createMemoryOperatorStores();
  return { stores, putFailed: (record) => stores.failed.withClaims(new MemoryClaimStore({ leaseMs: 30_000, waitMs: 0, doneTtlMs: 60_000, owner: 'test' })).record(record) };
});
