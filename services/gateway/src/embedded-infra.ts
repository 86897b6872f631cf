/**
 * The embedded mode's infrastructure: one in-process bus and one in-memory instance of each store,
 * built once, so the services of this process see the same data as they would through one Kafka
 * and one Redis. Each service gets it in the shape its Redis factory returns (docs/adr/0013).
 */
import type { Channel } from '@gateway/contracts';
import { createMemoryLedger, createMemorySubjectVersions, type SharedLedger, type SubjectVersions } from '@gateway/delivery-ledger';
import { createMemoryDirectoryStore, type DirectoryStore } from '@gateway/directory';
import { MemoryBus } from '@gateway/memory-bus';
import { createMemoryIntakeStores, type IntakeSettings, type IntakeStores } from '@gateway/intake';
import { createMemoryLinkStore } from '@gateway/attendance';
import { createMemoryRendererStores, type RendererStores } from '@gateway/renderer';
import { createMemoryOperatorStores, type OperatorStores } from '@gateway/operator';
import { MemoryDelayQueue, MemoryRateLimiter, workerLedgerOptions, type Delays, type RateLimiter, type WorkerSettings, type WorkerStores } from '@gateway/worker-core';
import { createMemoryInboxStore, createMemorySubscriptionStore, type InboxStore, type PushStores, type PushWorkerSettings, type SubscriptionStore } from '@gateway/worker-push';

export interface EmbeddedInfra {
  bus: MemoryBus;
  /** The renderer's directory, which the operator corrects. */
  directory: DirectoryStore;
  /** One state for every channel worker (each through its own port) and the operator's failed records. */
  ledger: SharedLedger;
  /** Each meeting's and document's latest version: the renderer writes it, the channel workers read it. */
  versions: SubjectVersions;
  /** Shared by the workers and their providers' limits, as the Redis one is. */
  rateLimiter: RateLimiter;
  delays: Record<Channel, Delays>;
  /** Also where the development sink of web push writes. */
  inbox: InboxStore;
  subscriptions: SubscriptionStore;
  intake: IntakeStores;
  renderer: RendererStores;
  operator: OperatorStores;
}

export interface EmbeddedInfraOptions {
  /** How long idempotency keys are kept (the intake's settings). */
  intake?: IntakeSettings;
  /** The caps of the inbox and of the push subscriptions (the push worker's settings). */
  push?: PushWorkerSettings;
}

// Used only when the service they size does not run in this process.
const UNUSED_RETENTION = { idempotency: { ttlSeconds: 24 * 3600 } };
const UNUSED_CAPS = { maxItemsPerUser: 1000, maxSubscriptionsPerUser: 10 };

export function createEmbeddedInfra(options: EmbeddedInfraOptions = {}): EmbeddedInfra {
  const directory = createMemoryDirectoryStore();
  const ledger = createMemoryLedger();
  const versions = createMemorySubjectVersions();
  // The renderer writes the personal links; the operator's attendance page reads them.
  const attendanceLinks = createMemoryLinkStore();
  return {
    bus: new MemoryBus(),
    directory,
    ledger,
    versions,
    rateLimiter: new MemoryRateLimiter(),
    delays: { sms: new MemoryDelayQueue(), email: new MemoryDelayQueue(), push: new MemoryDelayQueue(), inapp: new MemoryDelayQueue() },
    inbox: createMemoryInboxStore({ maxItemsPerUser: options.push?.inbox.maxItemsPerUser ?? UNUSED_CAPS.maxItemsPerUser }),
    subscriptions: createMemorySubscriptionStore({ maxPerUser: options.push?.webPush.maxSubscriptionsPerUser ?? UNUSED_CAPS.maxSubscriptionsPerUser }),
    intake: createMemoryIntakeStores(options.intake ?? UNUSED_RETENTION),
    renderer: createMemoryRendererStores(directory, versions, attendanceLinks),
    operator: createMemoryOperatorStores({ directory, failed: ledger, attendanceLinks }),
  };
}

/** A channel worker's stores: its own port on the shared ledger (owner and lease from its settings), the shared subject versions, its channel's delays, the shared limiter. */
export function workerStores(infra: EmbeddedInfra, settings: WorkerSettings): WorkerStores {
  return { ledger: infra.ledger.forWorker(workerLedgerOptions(settings)), versions: infra.versions, delay: infra.delays[settings.channel], limiter: infra.rateLimiter };
}

/** The push process's stores: the shared subscriptions and inbox, and its two channel workers' stores. */
export function pushStores(infra: EmbeddedInfra, settings: Pick<PushWorkerSettings, 'push' | 'inapp'>): PushStores {
  return { subscriptions: infra.subscriptions, inbox: infra.inbox, push: workerStores(infra, settings.push), inapp: workerStores(infra, settings.inapp) };
}
