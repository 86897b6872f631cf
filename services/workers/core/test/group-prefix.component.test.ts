/**
 * Two environments on one cluster, told apart by TOPIC_PREFIX (as the README suggests): each one's
 * SMS worker must be in a consumer group of its own, or one holds partitions of the other's topic.
 */
import { withPrefix, type SmsMessage } from '@gateway/contracts';
import { createLogger } from '@gateway/common';
import { uniqueName, waitFor } from '@gateway/tests/support/infra';
import type { ChannelSender } from '../src/domain/ports';
import { loadWorkerSettings } from '../src/settings';
import { startChannelWorker, type RunningChannelWorker } from '../src/worker';
import { connectedProducer, createTestTopics, produceMessages, smsMessage, workerTestEnv } from './support/kafka';

jest.setTimeout(120_000);

function recordingSender(): ChannelSender<SmsMessage> & { sent: Set<string> } {
  const sent = new Set<string>();
  return {
    name: 'recording',
    sent,
    async send(message) {
      sent.add(message.id);
      return { provider: 'recording', providerMessageId: message.id };
    },
  };
}

describe('SMS workers of two topic prefixes on one broker, with the default group ids', () => {
  const logger = createLogger({ name: 'group-prefix-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const workers: RunningChannelWorker[] = [];
  afterAll(async () => {
    for (const worker of workers) await worker.stop();
  });

  it('when both run side by side, then each is in its own group and gets every message of its own topic', async () => {
    const producer = await connectedProducer();
    const environments = await Promise.all(
      ['env-a', 'env-b'].map(async (name) => {
        const prefix = `${uniqueName(name)}.`;
        const topics = withPrefix(prefix);
        await createTestTopics([topics.sms, topics.retry.sms, topics.status, topics.deadLetter], 4);
        const settings = loadWorkerSettings('sms', workerTestEnv(prefix));
        return { prefix, topics, settings, sender: recordingSender() };
      }),
    );
    expect(environments.map((e) => e.settings.kafka.groupId)).toEqual(environments.map((e) => `${e.prefix}gateway-worker-sms`));

    for (const e of environments) {
      const worker = await startChannelWorker({ channel: 'sms', sender: e.sender, settings: e.settings, logger, topics: e.topics });
      workers.push(worker);
      await worker.joined;
    }
    const sent = environments.map((e) => Array.from({ length: 20 }, (_, i) => smsMessage(e.prefix, i)));
    for (const [i, e] of environments.entries()) await produceMessages(producer, e.topics.sms, sent[i] ?? []);
    await producer.disconnect();

    await waitFor(() => environments.every((e) => e.sender.sent.size === 20), {
      timeoutMs: 60_000,
      message: `each worker sends its own 20 SMS (sent: ${environments.map((e) => e.sender.sent.size).join(', ')})`,
    });
    for (const [i, e] of environments.entries()) expect([...e.sender.sent].sort()).toEqual((sent[i] ?? []).map((m) => m.id).sort());
  });
});

describe('consumer group ids', () => {
  it('when no prefix is set, then the standard ids of before are kept (a running deployment keeps its committed offsets)', () => {
    const env = { KAFKA_BROKERS: '127.0.0.1:9092', REDIS_URL: 'redis://127.0.0.1:6379' };
    expect(loadWorkerSettings('sms', env).kafka.groupId).toBe('gateway-worker-sms');
    expect(loadWorkerSettings('email', { ...env, TOPIC_PREFIX: 'staging.' }).kafka.groupId).toBe('staging.gateway-worker-email');
    expect(loadWorkerSettings('email', { ...env, TOPIC_PREFIX: 'staging.', KAFKA_GROUP_PREFIX: 'stg-' }).kafka.groupId).toBe('stg-gateway-worker-email');
    expect(loadWorkerSettings('push', { ...env, TOPIC_PREFIX: 'staging.', PUSH_WORKER_GROUP_ID: 'my-push' }).kafka.groupId).toBe('my-push');
  });
});
