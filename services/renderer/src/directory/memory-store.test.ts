import { createMemoryDirectoryStore } from './memory-store';
import { describeDirectoryStoreConformance } from './store-conformance';

describeDirectoryStoreConformance('in-memory', () => createMemoryDirectoryStore());
