import { deadLetterSchema, type DeliveryStatus } from '@gateway/contracts';
import { kafkaBrokers, readAllMessages, waitFor } from '@gateway/tests/support/infra';
import { operatorBed, type OperatorBed } from './support';

jest.setTimeout(90_000);

describe('the status projection under records it cannot store (real Kafka and Redis)', () => {
  let bed: OperatorBed;
  const rendered = (messageId: string, name: string): DeliveryStatus => ({ messageId, eventId: `${bed.prefix}-evt`, channel: 'sms', status: 'rendered', at: new Date().toISOString(), summary: { recipient: { id: messageId, name, phone: '+84905123456' }, eventType: 'meeting.scheduled', urgency: 'khan' } });
  const detail = async (id: string) => (await bed.call('GET', `/v1/notifications/${id}`, bed.keys.viewer)).json;

  beforeAll(async () => {
    bed = await operatorBed('opproj', (t) => [t.status, t.deadLetter], 1);
  });

  afterAll(async () => {
    await bed?.stop();
  });

  it('when a batch holds a name with a lone surrogate, a record that is not JSON, one that is not a status and one Redis refuses, then the good ones are projected, the surrogate as U+FFFD, the rest dead-lettered with the reason, and the projection goes on', async () => {
    // A key of another type where the record's hash belongs: Redis answers that status with an error of its own.
    await bed.redis.set(`${bed.prefix}:notif:poisoned`, 'not a hash');
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
    await bed.producer.publish(values.map((value) => ({ topic: bed.topics.status, key: 'batch', value })));

    await waitFor(async () => (await detail('good-2')).status === 'rendered', { timeoutMs: 30_000, message: 'the last good status projected' });
    expect((await detail('good-1')).summary).toMatchObject({ recipient: { name: 'Nguyễn Văn An' } });
    expect((await detail('lone')).summary).toMatchObject({ recipient: { name: 'Lê \ufffdVăn Bình' } });

    const letters = (await readAllMessages(kafkaBrokers(), bed.topics.deadLetter, { expected: 3 })).map((m) => deadLetterSchema.parse(JSON.parse(m.value)));
    expect(letters.map((l) => [l.value, l.sourceTopic, l.service])).toEqual([
      [values[2], bed.topics.status, 'operator'],
      [values[3], bed.topics.status, 'operator'],
      [values[4], bed.topics.status, 'operator'],
    ]);
    expect(letters[0]?.reason).toMatch(/^not JSON/);
    expect(letters[1]).toMatchObject({ reason: expect.stringMatching(/not a delivery status/), issues: expect.arrayContaining([expect.objectContaining({ path: 'eventId' })]) });
    expect(letters[2]?.reason).toMatch(/could not store it: WRONGTYPE/);
    expect(letters.every((l) => l.partition === 0 && l.offset !== undefined)).toBe(true);

    // Still consuming: a later status is projected.
    await bed.producer.publish([{ topic: bed.topics.status, key: 'batch', value: JSON.stringify(rendered('good-3', 'Võ Thị Em')) }]);
    await waitFor(async () => (await detail('good-3')).status === 'rendered', { timeoutMs: 30_000, message: 'a later status projected' });
    expect(await bed.call('GET', `/v1/notifications?eventId=${bed.prefix}-evt&recipient=${encodeURIComponent('văn bình')}`, bed.keys.viewer)).toMatchObject({ json: { total: 1 } });
  });
});
