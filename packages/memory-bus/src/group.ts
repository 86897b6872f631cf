import { tp, type MemoryTopic } from './partition-log';

/** What the group needs of a member: who it is, what it reads, and where to send its share. */
export interface GroupMember {
  readonly memberId: string;
  subscribed(): string[];
  assign(assignment: Map<string, number[]>): void;
}

/** A consumer group: its members, the partitions it deals them, and its committed offsets. */
export class MemoryGroup {
  readonly members: GroupMember[] = [];
  readonly committed = new Map<string, number>();
  /**
   * The loop that holds each partition. A new owner after a rebalance waits until the previous
   * one finished its batch and committed, as a broker's rebalance does: never two handlers on one
   * partition at once, and the previous owner's last commit counts.
   */
  readonly holders = new Map<string, { done: Promise<void> }>();

  constructor(
    private readonly topics: ReadonlyMap<string, MemoryTopic>,
    private readonly allGroups: () => Iterable<MemoryGroup>,
    readonly id: string,
  ) {}

  join(member: GroupMember): void {
    if (!this.members.includes(member)) this.members.push(member);
    this.rebalance();
  }

  leave(member: GroupMember): void {
    const i = this.members.indexOf(member);
    if (i >= 0) this.members.splice(i, 1);
    this.rebalance();
  }

  /** Each subscribed topic's partitions, dealt round-robin to the members subscribed to it. */
  rebalance(): void {
    const assignments = new Map<GroupMember, Map<string, number[]>>(this.members.map((m) => [m, new Map()]));
    const topics = new Set(this.members.flatMap((m) => m.subscribed()));
    for (const name of topics) {
      const topic = this.topics.get(name);
      if (!topic) continue;
      const members = this.members.filter((m) => m.subscribed().includes(name)).sort((a, b) => a.memberId.localeCompare(b.memberId));
      topic.partitions.forEach((_, partition) => {
        const member = members[partition % members.length] as GroupMember;
        const own = assignments.get(member) as Map<string, number[]>;
        own.set(name, [...(own.get(name) ?? []), partition]);
      });
    }
    for (const [member, assignment] of assignments) member.assign(assignment);
  }

  commit(topic: string, partition: number, offset: number): void {
    const key = tp(topic, partition);
    if ((this.committed.get(key) ?? -1) < offset) this.committed.set(key, offset);
    this.trimConsumed(topic, partition);
  }

  /**
   * Records every group with members reading this topic has committed past are not needed any
   * more. A reading group without a commit yet keeps everything.
   */
  private trimConsumed(topic: string, partition: number): void {
    const log = this.topics.get(topic)?.partitions[partition];
    if (!log || log.records.length < 10_000) return;
    let min = Infinity;
    for (const group of this.allGroups()) {
      if (!group.members.some((m) => m.subscribed().includes(topic))) continue;
      min = Math.min(min, group.committed.get(tp(topic, partition)) ?? log.base);
    }
    if (Number.isFinite(min)) log.trim(min);
  }
}
