import { createMemoryAttendanceStores } from '../src';
import { describeAttendanceStoreConformance } from './store-conformance';

describeAttendanceStoreConformance('memory', () => createMemoryAttendanceStores());
