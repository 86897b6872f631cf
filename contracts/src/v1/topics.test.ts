import { CHANNELS } from './classification';
import { allTopics, channelTopic, retryTopic, topicSpecs, TOPICS, withPrefix } from './topics';

describe('topics', () => {
  it('when the names are read, then they follow gateway.<kind>.v1', () => {
    expect(TOPICS.events).toBe('gateway.events.v1');
    expect(TOPICS.sms).toBe('gateway.channel.sms.v1');
    expect(TOPICS.status).toBe('gateway.status.v1');
    expect(TOPICS.deadLetter).toBe('gateway.deadletter.v1');
    for (const channel of CHANNELS) {
      expect(channelTopic(channel)).toBe(`gateway.channel.${channel}.v1`);
      expect(retryTopic(channel)).toBe(`gateway.retry.${channel}.v1`);
    }
  });

  it('when all topics are listed, then each appears once and is a legal Kafka name', () => {
    const names = allTopics();
    expect(names).toHaveLength(12);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9._-]{1,249}$/);
  });

  it('when specs are built with defaults, then every topic has 12 partitions', () => {
    const specs = topicSpecs();
    expect(specs.map((spec) => spec.topic)).toEqual(allTopics());
    expect(new Set(specs.map((spec) => spec.numPartitions))).toEqual(new Set([12]));
    expect(specs.find((spec) => spec.topic === TOPICS.deadLetter)?.configs).toEqual([
      { name: 'retention.ms', value: String(30 * 24 * 60 * 60 * 1000) },
    ]);
  });

  it('when specs are built for prefixed topics and 3 partitions, then both are applied', () => {
    const topics = withPrefix('test-3f9a');
    const specs = topicSpecs(3, topics);
    expect(specs.every((spec) => spec.topic.startsWith('test-3f9a.gateway.') && spec.numPartitions === 3)).toBe(true);
    expect(specs.find((spec) => spec.topic === topics.deadLetter)?.configs).toBeDefined();
  });

  it('when a prefix is applied, then every name (retry topics too) is prefixed', () => {
    const topics = withPrefix('t1');
    expect(topics.events).toBe('t1.gateway.events.v1');
    expect(retryTopic('email', topics)).toBe('t1.gateway.retry.email.v1');
    expect(allTopics(topics).every((name) => name.startsWith('t1.'))).toBe(true);
  });

  it.each(['', 'có dấu', 'a/b', 'x'.repeat(240)])('when the prefix is %p, then withPrefix refuses it', (prefix) => {
    expect(() => withPrefix(prefix)).toThrow(/topic prefix/);
  });

  it.each([0, -1, 1.5, Number.NaN])('when partitions is %p, then topicSpecs refuses it', (partitions) => {
    expect(() => topicSpecs(partitions)).toThrow(/partitions/);
  });
});
