/**
 * The message bus port, in the gateway's own terms: what the services do with a bus, and nothing
 * of a client library. The Kafka adapter (`./kafka`) and the in-process bus (`@gateway/memory-bus`)
 * implement it, and both run one conformance suite (tests/conformance/bus.conformance.test.ts).
 */

/** A record to publish. The key chooses the partition: one key always lands on the same one. */
export interface OutgoingRecord {
  topic: string;
  key: string | null;
  value: string | Buffer;
  headers?: Readonly<Record<string, string>>;
}

/** A record as a consumer gets it. */
export interface BusRecord {
  topic: string;
  partition: number;
  /** The record's offset in its partition (a 64-bit number, so a decimal string). */
  offset: string;
  key: string | null;
  /** The value's bytes; null for a tombstone. */
  value: Buffer | null;
  /** UTF-8 header values; for a repeated header, the last value. */
  headers: Readonly<Record<string, string>>;
  /** When it was produced, in milliseconds since the epoch (a decimal string). */
  timestamp: string;
}

/** Some records of one partition, in offset order. */
export interface RecordBatch {
  topic: string;
  partition: number;
  records: readonly BusRecord[];
}

/**
 * What a batch handler may do besides reading. Nothing is committed unless it was resolved: a
 * handler that returns or throws having resolved a prefix gives the rest back to its group.
 */
export interface BatchControl {
  /** Marks every record up to and including `offset` as processed. */
  resolve(offset: string): void;
  /** Commits what was resolved (an adapter may do it at the end of the batch instead). */
  commit(): Promise<void>;
  /** Tells the group this member is alive (during a long batch). */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping: start nothing new. */
  isRunning(): boolean;
  /** True once a rebalance took the partition away: start nothing new. */
  isStale(): boolean;
}

export type BatchHandler = (batch: RecordBatch, control: BatchControl) => Promise<void>;

export interface PublishOptions {
  /** How long the broker may take to acknowledge (every in-sync replica). */
  timeoutMs?: number;
  /** Compress the records on the wire and on disk. */
  gzip?: boolean;
}

export interface BusPublisher {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /**
   * Publishes the records as one request and resolves when every in-sync replica stored them;
   * rejects when one could not be (e.g. the topic does not exist). Per key, in the order given.
   */
  publish(records: readonly OutgoingRecord[], options?: PublishOptions): Promise<void>;
}

export interface PublisherOptions {
  /**
   * One request in flight, written once even when retried: for what is "stored" once acknowledged
   * (intake, statuses). Without it several requests fly at once and a retry may write a record
   * twice, which deterministic message ids make harmless (a fan-out).
   */
  idempotent?: boolean;
}

export interface ConsumerOptions {
  groupId: string;
  /** How long the group waits for a silent member before it gives its partitions away. */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** How long a member may take to rejoin during a rebalance. */
  rebalanceTimeoutMs?: number;
  /** Longest wait of one fetch for new records (short: a quick stop). */
  maxWaitMs?: number;
  /** Retries of a failing handler or request before the consumer crashes (and may restart). */
  retry?: { retries?: number; initialRetryTimeMs?: number };
  /**
   * Asked after a crash the adapter would restart from: false gives the consumer up (its
   * `crashed` event then says `restart: false`).
   */
  restartOnFailure?: (error: Error) => Promise<boolean>;
}

export interface Subscription {
  topics: readonly string[];
  /** Where a group with no committed offset starts: the oldest record, or only new ones. */
  fromBeginning?: boolean;
}

export interface RunOptions {
  /** Partitions handled at once (one batch per partition at a time). */
  partitionsConcurrently?: number;
  eachBatch: BatchHandler;
}

export interface JoinedEvent {
  /** This member's id in its group. */
  memberId: string;
  /** The partitions this member holds now, by topic. */
  assignment: Readonly<Record<string, readonly number[]>>;
}

export interface CrashedEvent {
  error: Error;
  /** Whether the consumer starts again by itself; false: it stopped for good. */
  restart: boolean;
}

export interface ConsumerEvents {
  joined: JoinedEvent;
  crashed: CrashedEvent;
}

export interface BusConsumer {
  connect(): Promise<void>;
  subscribe(subscription: Subscription): Promise<void>;
  /** Starts consuming in the background; resolves once started. */
  run(options: RunOptions): Promise<void>;
  /** Stops fetching, lets the batches in flight finish and commit. */
  stop(): Promise<void>;
  disconnect(): Promise<void>;
  /** Returns a function that removes the listener. */
  on<E extends keyof ConsumerEvents>(event: E, listener: (payload: ConsumerEvents[E]) => void): () => void;
}

export interface NewTopic {
  topic: string;
  partitions: number;
  /** Topic-level settings (retention.ms...). */
  configs?: ReadonlyArray<{ name: string; value: string }>;
}

export interface PartitionOffsets {
  partition: number;
  /** The oldest offset still stored. */
  low: string;
  /** The offset the next record will get. */
  high: string;
}

export interface GroupOffsets {
  topic: string;
  /** The next offset the group reads, or '-1' where it committed nothing. */
  partitions: Array<{ partition: number; offset: string }>;
}

export interface BusAdmin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  listTopics(): Promise<string[]>;
  /** Creates the topics and waits for their leaders; false when all of them existed already. */
  createTopics(topics: readonly NewTopic[], options?: { timeoutMs?: number }): Promise<boolean>;
  /** Answers when the cluster does (a readiness probe). */
  describeCluster(): Promise<{ clusterId: string; brokers: number }>;
  topicOffsets(topic: string): Promise<PartitionOffsets[]>;
  groupOffsets(groupId: string, topics: readonly string[]): Promise<GroupOffsets[]>;
  /** Sets a group's committed offsets; refused while the group has members. */
  setGroupOffsets(groupId: string, topic: string, partitions: ReadonlyArray<{ partition: number; offset: string }>): Promise<void>;
}

export interface Bus {
  publisher(options?: PublisherOptions): BusPublisher;
  consumer(options: ConsumerOptions): BusConsumer;
  admin(): BusAdmin;
}
