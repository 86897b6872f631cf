import { createMemoryOperatorStores } from './stores';
import { describeOperatorStores } from './store-conformance';

describeOperatorStores('memory', async () => {
  const stores = createMemoryOperatorStores();
  return { stores, putFailed: async (record) => stores.failed.put(record) };
});
