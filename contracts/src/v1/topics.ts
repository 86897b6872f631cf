import { CHANNELS, type Channel } from './classification';

export const TOPICS = {
  events: 'gateway.events.v1',
  sms: 'gateway.channel.sms.v1',
  email: 'gateway.channel.email.v1',
  push: 'gateway.channel.push.v1',
  inapp: 'gateway.channel.inapp.v1',
  status: 'gateway.status.v1',
  deadLetter: 'gateway.deadletter.v1',
  /** Recipients' answers to meetings that require confirmation (`attendance.answered`), keyed by meeting. */
  attendance: 'gateway.attendance.v1',
  retry: {
    sms: 'gateway.retry.sms.v1',
    email: 'gateway.retry.email.v1',
    push: 'gateway.retry.push.v1',
    inapp: 'gateway.retry.inapp.v1',
  },
} as const;

/** The same shape as `TOPICS` with any names, so prefixed test topics drop in everywhere. */
export interface Topics {
  readonly events: string;
  readonly sms: string;
  readonly email: string;
  readonly push: string;
  readonly inapp: string;
  readonly status: string;
  readonly deadLetter: string;
  readonly attendance: string;
  readonly retry: Readonly<Record<Channel, string>>;
}

export function channelTopic(channel: Channel, topics: Topics = TOPICS): string {
  return topics[channel];
}

export function retryTopic(channel: Channel, topics: Topics = TOPICS): string {
  return topics.retry[channel];
}

export function allTopics(topics: Topics = TOPICS): string[] {
  return [
    topics.events,
    ...CHANNELS.map((channel) => topics[channel]),
    ...CHANNELS.map((channel) => topics.retry[channel]),
    topics.status,
    topics.deadLetter,
    topics.attendance,
  ];
}

const TOPIC_NAME = /^[A-Za-z0-9._-]+$/;
const MAX_TOPIC_LENGTH = 249;

/** Test-unique names (`withPrefix('test-3f9a')`), so parallel tests never share a topic. */
export function withPrefix(prefix: string): Topics {
  if (!TOPIC_NAME.test(prefix)) {
    throw new Error(`topic prefix must use only letters, digits, ".", "_" or "-"; got ${JSON.stringify(prefix)}`);
  }
  const name = (topic: string) => {
    const prefixed = `${prefix}.${topic}`;
    if (prefixed.length > MAX_TOPIC_LENGTH) {
      throw new Error(`topic prefix is too long: ${prefixed.length} > ${MAX_TOPIC_LENGTH} characters`);
    }
    return prefixed;
  };
  return {
    events: name(TOPICS.events),
    sms: name(TOPICS.sms),
    email: name(TOPICS.email),
    push: name(TOPICS.push),
    inapp: name(TOPICS.inapp),
    status: name(TOPICS.status),
    deadLetter: name(TOPICS.deadLetter),
    attendance: name(TOPICS.attendance),
    retry: {
      sms: name(TOPICS.retry.sms),
      email: name(TOPICS.retry.email),
      push: name(TOPICS.retry.push),
      inapp: name(TOPICS.retry.inapp),
    },
  };
}

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  configs?: Array<{ name: string; value: string }>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Dead letters are kept longer because an operator may only look at them days later. */
export function topicSpecs(partitions = 12, topics: Topics = TOPICS): TopicSpec[] {
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new Error(`partitions must be a positive integer; got ${String(partitions)}`);
  }
  return allTopics(topics).map((topic) =>
    topic === topics.deadLetter
      ? { topic, numPartitions: partitions, configs: [{ name: 'retention.ms', value: String(30 * DAY_MS) }] }
      : { topic, numPartitions: partitions },
  );
}
