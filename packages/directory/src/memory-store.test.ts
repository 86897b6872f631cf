import { createMemoryDirectoryStore } from './memory-store';
import { describeDirectoryStoreConformance } from '../test/store-conformance';

describeDirectoryStoreConformance('in-memory', () => createMemoryDirectoryStore());
