import type { MemoryBus } from '@gateway/memory-bus';

/**
 * Shared in-process state of the embedded mode: one instance of each in-memory store, looked up by
 * name, so services in the same process see the same data (as they would through one Redis).
 */
export class MemoryRegistry {
  private readonly items = new Map<string, unknown>();

  get<T>(name: string, create: () => T): T {
    if (!this.items.has(name)) this.items.set(name, create());
    return this.items.get(name) as T;
  }
}

/** What a service gets instead of Kafka and Redis when the gateway runs embedded. */
export interface Embedded {
  bus: MemoryBus;
  stores: MemoryRegistry;
}
