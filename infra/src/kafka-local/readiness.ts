import crypto from 'node:crypto';
import { Kafka, logLevel } from '@gateway/kafkajs';
import { sleep } from './command';

// Readiness (also used for external and containerised brokers).

export interface WaitForKafkaOptions {
  timeoutMs?: number;
  /** Checked between attempts: a non-empty string aborts the wait with that reason (e.g. "the JVM exited"). */
  abortReason?: () => string | undefined;
  /** Only a cluster with this id counts: another broker already on the port must not pass for ours. */
  expectClusterId?: string;
}

/**
 * Resolves once the cluster answers describeCluster, can create (and delete) a topic with a leader, and
 * has a group coordinator. The last step makes the broker create __consumer_offsets now, so the first
 * consumer of a test does not spend seconds on "coordinator not available" retries.
 */
export async function waitForKafka(brokers: string[], options: WaitForKafkaOptions = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const kafka = new Kafka({
    clientId: 'gateway-infra-ready',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 5_000,
    // One try per attempt: the loop below retries, checks the deadline and whether the broker died.
    retry: { retries: 0 },
  });
  const probeTopic = `gateway-ready-${crypto.randomBytes(4).toString('hex')}`;
  const probeGroup = `gateway-ready-${crypto.randomBytes(4).toString('hex')}`;
  const steps: Array<[string, (admin: ReturnType<Kafka['admin']>) => Promise<unknown>]> = [
    [
      'describeCluster',
      async (admin) => {
        const { clusterId } = await admin.describeCluster();
        if (options.expectClusterId !== undefined && clusterId !== options.expectClusterId) {
          throw new Error(`the broker on ${brokers.join(',')} belongs to cluster ${clusterId}, not ours (${options.expectClusterId})`);
        }
      },
    ],
    [
      'createTopics',
      (admin) => admin.createTopics({ topics: [{ topic: probeTopic, numPartitions: 1 }], waitForLeaders: true, timeout: 5_000 }),
    ],
    [
      'deleteTopics',
      // An attempt that timed out may still have deleted it: "unknown topic" then means done.
      (admin) =>
        admin.deleteTopics({ topics: [probeTopic], timeout: 5_000 }).catch((err: unknown) => {
          if (!/UNKNOWN_TOPIC|does not host this topic/i.test(`${(err as { type?: string }).type ?? ''} ${String(err)}`)) throw err;
        }),
    ],
    [
      'group coordinator',
      // describeCluster first: it loads the broker list, which describeGroups alone does not.
      async (admin) => {
        await admin.describeCluster();
        await admin.describeGroups([probeGroup]);
      },
    ],
  ];

  let lastError = 'no attempt yet';
  for (const [name, step] of steps) {
    for (;;) {
      const aborted = options.abortReason?.();
      if (aborted) throw new Error(aborted);
      if (Date.now() > deadline) throw new Error(`Kafka at ${brokers.join(',')} not ready: ${name} kept failing (${lastError})`);
      const admin = kafka.admin();
      try {
        await admin.connect();
        await step(admin);
        break;
      } catch (err) {
        lastError = err instanceof Error ? err.message : String(err);
        await sleep(200);
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    }
  }
}
