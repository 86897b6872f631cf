export * from './port';
export { MemoryBus, BusError } from './memory-bus';
