import { createMemoryOperatorStores } from './stores';
import { describeOperatorStores } from '../../test/store-conformance';

describeOperatorStores('memory', async () => {
  const stores = createMemoryOperatorStores();
  return { stores, putFailed: (record) => stores.failed.forWorker({ leaseMs: 30_000, waitMs: 0, doneTtlMs: 60_000, owner: 'test', failedRecordTtlMs: 60_000 }).recordFailure(record) };
});
