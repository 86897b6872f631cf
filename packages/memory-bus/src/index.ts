export { MemoryBus } from './memory-bus';
