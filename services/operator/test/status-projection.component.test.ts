import { Kafka, logLevel, type Producer } from 'kafkajs';
import { Redis } from 'ioredis';
import { deadLetterSchema, withPrefix, type DeliveryStatus } from '@gateway/contracts';
import { createTopics, kafkaBrokers, readAllMessages, redisUrl, uniqueName, waitFor } from '../../../tests/support/infra';
import type { RunningOperator } from '../src/main';
import { client, removeKeys, startTestOperator, writeKeys, type TestKeys } from './support';

jest.setTimeout(90_000);

describe('the status projection under records it cannot store (real Kafka and Redis)', () => {
  const prefix = uniqueName('opproj');
  const topics = withPrefix(prefix);
  let keys: TestKeys;
  let operator: RunningOperator;
  let producer: Producer;
  let redis: Redis;
  let call: ReturnType<typeof client>;

  const rendered = (messageId: string, name: string): DeliveryStatus => ({ messageId, eventId: `${prefix}-evt`, channel: 'sms', status: 'rendered', at: new Date().toISOString(), summary: { recipient: { id: messageId, name, phone: '+84905123456' }, eventType: 'meeting.scheduled', urgency: 'khan' } });
  const detail = async (id: string) => (await call('GET', `/v1/notifications/${id}`, keys.viewer)).json;

  beforeAll(async () => {
    await createTopics(kafkaBrokers(), [topics.status, topics.deadLetter], 1);
    redis = new Redis(redisUrl());
    keys = writeKeys();
    operator = await startTestOperator(prefix, keys);
    call = client(operator.url);
    producer = new Kafka({ clientId: 'test', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await operator?.stop();
    redis?.disconnect();
    removeKeys(keys);
  });

  it('when a batch holds a name with a lone surrogate, a record that is not JSON, one that is not a status and one Redis refuses, then the good ones are projected, the surrogate as U+FFFD, the rest dead-lettered with the reason, and the projection goes on', async () => {
    // A key of another type where the record's hash belongs: Redis answers that status with an error of its own.
    await redis.set(`${prefix}:notif:poisoned`, 'not a hash');
    const values = [
      JSON.stringify(rendered('good-1', 'Nguyễn Văn An')),
      // What JSON.stringify writes for a lone surrogate, and what the intake let through.
      JSON.stringify(rendered('lone', 'Lê \ud800Văn Bình')),
      'not json{',
      JSON.stringify({ messageId: 'half', status: 'sent' }),
      JSON.stringify(rendered('poisoned', 'Trần Thị Cúc')),
      JSON.stringify(rendered('good-2', 'Phạm Văn Dũng')),
    ];
    expect(values[1]).toContain('\\ud800');
    // One key: one partition, in order, so they come as one batch among good records.
    await producer.send({ topic: topics.status, acks: -1, messages: values.map((value) => ({ key: 'batch', value })) });

    await waitFor(async () => (await detail('good-2')).status === 'rendered', { timeoutMs: 30_000, message: 'the last good status projected' });
    expect((await detail('good-1')).summary).toMatchObject({ recipient: { name: 'Nguyễn Văn An' } });
    expect((await detail('lone')).summary).toMatchObject({ recipient: { name: 'Lê \ufffdVăn Bình' } });

    const letters = (await readAllMessages(kafkaBrokers(), topics.deadLetter, { expected: 3 })).map((m) => deadLetterSchema.parse(JSON.parse(m.value)));
    expect(letters.map((l) => [l.value, l.sourceTopic, l.service])).toEqual([
      [values[2], topics.status, 'operator'],
      [values[3], topics.status, 'operator'],
      [values[4], topics.status, 'operator'],
    ]);
    expect(letters[0]?.reason).toMatch(/^not JSON/);
    expect(letters[1]).toMatchObject({ reason: expect.stringMatching(/not a delivery status/), issues: expect.arrayContaining([expect.objectContaining({ path: 'eventId' })]) });
    expect(letters[2]?.reason).toMatch(/could not store it: WRONGTYPE/);
    expect(letters.every((l) => l.partition === 0 && l.offset !== undefined)).toBe(true);

    // Still consuming: a later status is projected.
    await producer.send({ topic: topics.status, acks: -1, messages: [{ key: 'batch', value: JSON.stringify(rendered('good-3', 'Võ Thị Em')) }] });
    await waitFor(async () => (await detail('good-3')).status === 'rendered', { timeoutMs: 30_000, message: 'a later status projected' });
    expect(await call('GET', `/v1/notifications?eventId=${prefix}-evt&recipient=${encodeURIComponent('văn bình')}`, keys.viewer)).toMatchObject({ json: { total: 1 } });
  });
});
