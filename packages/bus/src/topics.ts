import type { TopicSpec } from '@gateway/contracts';
import type { Bus, BusAdmin } from './port';
import type { BusLogger } from './log';

/**
 * Creates the topics that do not exist yet and waits for their leaders, so no consumer ever
 * subscribes to a topic the broker does not host yet (a known KRaft pitfall).
 */
export async function ensureTopics(admin: BusAdmin, specs: TopicSpec[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.topic));
  if (missing.length === 0) return [];
  try {
    await admin.createTopics(missing.map((s) => ({ topic: s.topic, partitions: s.numPartitions, configs: s.configs ?? [] })));
  } catch (err) {
    // Another replica may have created them between listTopics and createTopics.
    if (!(err instanceof Error && /already exists/i.test(err.message))) throw err;
  }
  return missing.map((s) => s.topic);
}

/**
 * The upgrade step for consumer group ids that gained the group prefix (consumerGroupId): before
 * a consumer first joins `groupId`, it takes over the offsets that its old, unprefixed group id
 * (`legacyGroupId`) committed for its own topics. Without it a prefixed deployment would come back
 * under a group with no offsets and, subscribed `fromBeginning`, process the whole retention of
 * its topics again. The old group's offsets on these (prefixed) topics are this deployment's
 * own: another environment shares the old group id, never the topics. Nothing happens once the
 * new group has committed anything, so it runs at every start and acts once. Returns the
 * partitions taken over.
 */
export async function adoptLegacyGroupOffsets(
  bus: Bus,
  options: { groupId: string; legacyGroupId: string | undefined; topics: string[]; logger: BusLogger },
): Promise<number> {
  const { groupId, legacyGroupId, topics, logger } = options;
  if (!legacyGroupId || legacyGroupId === groupId || topics.length === 0) return 0;
  const admin = bus.admin();
  await admin.connect();
  try {
    const committed = (answer: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>) =>
      answer.map(({ topic, partitions }) => ({ topic, partitions: partitions.filter((p) => Number(p.offset) >= 0) }));
    if (committed(await admin.groupOffsets(groupId, topics)).some((t) => t.partitions.length > 0)) return 0;
    let adopted = 0;
    for (const { topic, partitions } of committed(await admin.groupOffsets(legacyGroupId, topics))) {
      if (partitions.length === 0) continue;
      await admin.setGroupOffsets(groupId, topic, partitions);
      adopted += partitions.length;
    }
    if (adopted > 0) logger.info({ groupId, legacyGroupId, partitions: adopted }, 'consumer group takes over the offsets its unprefixed group id committed (upgrade to prefixed group ids)');
    return adopted;
  } catch (err) {
    // Another replica of the same version may have joined first (a group with members refuses new
    // offsets); it took them over already, so this one just joins.
    logger.warn({ groupId, legacyGroupId, err: err instanceof Error ? err.message : String(err) }, 'could not take over the old group id\'s offsets; joining as it is');
    return 0;
  } finally {
    await admin.disconnect();
  }
}
