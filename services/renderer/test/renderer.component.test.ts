import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BusPublisher as Producer } from '@gateway/bus';
import { allTopics, channelMessageSchema, deadLetterSchema, deliveryStatusSchema, loadExample, withPrefix, type Topics } from '@gateway/contracts';
import { createLogger, generateKey, hashKey } from '@gateway/common';
import { createTopics, kafkaBrokers, readAllMessages, testBus, uniqueName } from '@gateway/tests/support/infra';
import { loadRendererSettings } from '../src/settings';
import { rendererTestEnv } from './support';
import { startRenderer, type RunningRenderer } from '../src/main';

describe('renderer through a real broker and Redis', () => {
  const prefix = uniqueName('rnd');
  const topics: Topics = withPrefix(prefix);
  const dir = mkdtempSync(join(tmpdir(), 'gateway-renderer-test-'));
  const key = generateKey();
  let renderer: RunningRenderer;
  let producer: Producer;

  const api = (path: string, method: string, body?: unknown) =>
    fetch(`${renderer.url}/v1/directory${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

  beforeAll(async () => {
    await createTopics(kafkaBrokers(), allTopics(topics), 3);
    writeFileSync(join(dir, 'keys.json'), JSON.stringify({ keys: [{ name: 'danh-ba', sha256: hashKey(key), scopes: ['directory:write'] }] }));
    const settings = loadRendererSettings(rendererTestEnv(prefix, join(dir, 'keys.json'), { RENDERER_GROUP_ID: `${prefix}-renderer` }));
    renderer = await startRenderer(settings, { logger: createLogger({ name: 'renderer-test', level: 'silent' }) });
    producer = testBus().publisher();
    await producer.connect();

    // A group of 3: one of them is also invited inline (reached twice, messaged once).
    const people = [
      { id: 'tran-van-cuong', name: 'Trần Văn Cường', phone: '+84912000003', email: 'tvcuong@danang.gov.vn', userId: 'u-cuong' },
      { id: 'le-thi-dung', name: 'Lê Thị Dung', email: 'ltdung@danang.gov.vn' },
      { id: 'nguyen-van-an', name: 'Nguyễn Văn An', phone: '+84905000001', email: 'nvan@danang.gov.vn' },
    ];
    for (const p of people) expect((await api(`/people/${p.id}`, 'PUT', p)).status).toBe(201);
    expect((await api('/groups/to-cong-tac', 'PUT', { name: 'Tổ công tác', members: people.map((p) => p.id) })).status).toBe(201);
  }, 60000);

  afterAll(async () => {
    await producer?.disconnect();
    await renderer?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const meeting = () => {
    const example = loadExample('meeting-scheduled-hoi-nghi-bch') as { id: string; data: Record<string, unknown> };
    return {
      ...example,
      id: `${prefix}-meeting-1`,
      data: {
        ...example.data,
        meetingId: `${prefix}-hop-1`,
        participants: [
          { id: 'nguyen-van-an', name: 'Nguyễn Văn An', phone: '+84905000001', email: 'nvan@danang.gov.vn' },
          { id: 'pham-thi-binh', name: 'Phạm Thị Bình', phone: '+84906000002' },
          'group:to-cong-tac',
        ],
      },
    };
  };

  const send = (value: string, key = 'k') => producer.publish([{ topic: topics.events, key, value }]);

  it('when a meeting names inline people and a group of 3, then each channel topic gets exactly the expected messages, and a replay adds no new ids', async () => {
    const event = meeting();
    await send(JSON.stringify(event), event.data.meetingId as string);
    // An (4 channels wanted: sms, email), Bình (sms), Cường (all four), Dung (email).
    const expected = { sms: ['nguyen-van-an', 'pham-thi-binh', 'tran-van-cuong'], email: ['le-thi-dung', 'nguyen-van-an', 'tran-van-cuong'], push: ['tran-van-cuong'], inapp: ['tran-van-cuong'] };
    const idsByChannel: Record<string, string[]> = {};
    for (const [channel, recipients] of Object.entries(expected)) {
      const records = await readAllMessages(kafkaBrokers(), topics[channel as keyof typeof expected], { expected: recipients.length, timeoutMs: 30000 });
      const messages = records.map((r) => channelMessageSchema.parse(JSON.parse(r.value)));
      expect(messages.map((m) => m.recipient.id).sort()).toEqual(recipients);
      expect(records.map((r) => r.key).sort()).toEqual(recipients);
      idsByChannel[channel] = messages.map((m) => m.id).sort();
      for (const m of messages) expect(m.eventId).toBe(event.id);
    }
    const email = (await readAllMessages(kafkaBrokers(), topics.email, { expected: 3, timeoutMs: 10000 })).map((r) => channelMessageSchema.parse(JSON.parse(r.value)));
    for (const m of email) if (m.channel === 'email') expect(m.calendar).toMatchObject({ method: 'REQUEST', sequence: 0 });

    // 8 rendered, and 8 skipped with reasons: An (push, inapp), Bình (email, push, inapp), Dung (sms, push, inapp).
    const statuses = (await readAllMessages(kafkaBrokers(), topics.status, { expected: 16, timeoutMs: 30000 })).map((r) => deliveryStatusSchema.parse(JSON.parse(r.value)));
    expect(statuses.filter((s) => s.status === 'rendered')).toHaveLength(8);
    const skipped = statuses.filter((s) => s.status === 'skipped');
    expect(skipped).toHaveLength(8);
    for (const s of skipped) expect(s.reason).toBeTruthy();
    // Every first status says who it is for (the operator's search reads it).
    for (const s of statuses) expect(s.summary).toMatchObject({ eventType: 'meeting.scheduled', source: (event as unknown as { source: string }).source, recipient: { id: expect.any(String), name: expect.any(String) } });
    expect(statuses.find((s) => s.summary?.recipient.id === 'nguyen-van-an' && s.channel === 'sms')?.summary?.recipient).toEqual({ id: 'nguyen-van-an', name: 'Nguyễn Văn An', phone: '+84905000001', email: 'nvan@danang.gov.vn' });

    await send(JSON.stringify(event), event.data.meetingId as string);
    for (const [channel, recipients] of Object.entries(expected)) {
      const records = await readAllMessages(kafkaBrokers(), topics[channel as keyof typeof expected], { expected: recipients.length * 2, timeoutMs: 30000 });
      const ids = [...new Set(records.map((r) => (JSON.parse(r.value) as { id: string }).id))].sort();
      expect(ids).toEqual(idsByChannel[channel]);
    }
    // The replay kept the calendar SEQUENCE: the same event is not a new change.
    const emails = (await readAllMessages(kafkaBrokers(), topics.email, { expected: 6, timeoutMs: 10000 })).map((r) => JSON.parse(r.value) as { calendar?: { sequence: number } });
    expect(emails.map((e) => e.calendar?.sequence)).toEqual([0, 0, 0, 0, 0, 0]);
  }, 90000);

  it('when poison messages are on the events topic, then they are dead-lettered with the reason and the next good event is still processed', async () => {
    await send('{"type": "meeting.scheduled", oops');
    const invalid = { ...meeting(), id: `${prefix}-bad`, data: { ...meeting().data, start: '2025-09-29T08:00:00' } };
    await send(JSON.stringify(invalid));
    const good = { ...(loadExample('document-dispatched-hoa-toc') as object), id: `${prefix}-doc-after-poison`, data: { ...(loadExample('document-dispatched-hoa-toc') as { data: object }).data, recipients: ['person:le-thi-dung'] } };
    await send(JSON.stringify(good));

    const dead = (await readAllMessages(kafkaBrokers(), topics.deadLetter, { expected: 2, timeoutMs: 30000 })).map((r) => deadLetterSchema.parse(JSON.parse(r.value)));
    expect(dead[0]?.reason).toMatch(/not JSON/);
    expect(dead[1]?.reason).toMatch(/contracts/);
    expect(dead[1]?.issues?.map((i) => i.path)).toContain('data.start');
    expect(dead.every((d) => d.sourceTopic === topics.events && d.service === 'renderer')).toBe(true);

    const emails = await readAllMessages(kafkaBrokers(), topics.email, { expected: 7, timeoutMs: 30000 });
    const forDoc = emails.map((r) => JSON.parse(r.value) as { eventId: string; recipient: { id: string } }).filter((m) => m.eventId === good.id);
    expect(forDoc.map((m) => m.recipient.id)).toEqual(['le-thi-dung']);
  }, 90000);

  it('when two senders send an event with the same id for the same meeting id, then each gets its own message ids and calendar UID, the first the plain one; a record whose source is not the one the intake stamped is dead-lettered', async () => {
    const id = `${prefix}-same-id`;
    const meetingId = `${prefix}-H-2025-001`;
    const base = meeting();
    const of = (source: string) => ({ ...base, id, source, data: { ...base.data, meetingId, participants: [{ id: 'nguyen-van-an', name: 'Nguyễn Văn An', phone: '+84905000001', email: 'nvan@danang.gov.vn' }] } });
    const stamped = (event: ReturnType<typeof of>, sender: string) =>
      producer.publish([{ topic: topics.events, key: meetingId, value: JSON.stringify(event), headers: { 'authenticated-source': sender } }]);
    await stamped(of('he-thong-a'), 'he-thong-a');
    await stamped(of('he-thong-b'), 'he-thong-b');
    await stamped(of('he-thong-c'), 'he-thong-a');

    const dead = (await readAllMessages(kafkaBrokers(), topics.deadLetter, { expected: 3, timeoutMs: 30000 })).map((r) => deadLetterSchema.parse(JSON.parse(r.value)));
    // Across partitions the dead letters come in any order.
    expect(dead.filter((d) => d.reason.includes('he-thong')).map((d) => d.reason)).toEqual(['the event\'s source "he-thong-c" is not the one the intake authenticated ("he-thong-a")']);
    const emails = (await readAllMessages(kafkaBrokers(), topics.email, { expected: 9, timeoutMs: 30000 }))
      .map((r) => channelMessageSchema.parse(JSON.parse(r.value)))
      .filter((m) => m.eventId === id);
    expect(emails).toHaveLength(2);
    const [a, b] = emails.map((m) => (m.channel === 'email' ? { id: m.id, uid: m.calendar?.uid, sequence: m.calendar?.sequence } : undefined));
    expect(a?.id).not.toBe(b?.id);
    expect(a?.uid).toBe(`meeting-${meetingId}@lichhop.example.gov.vn`);
    expect(b?.uid).toBe(`meeting-he-thong-b/${meetingId}@lichhop.example.gov.vn`);
    expect([a?.sequence, b?.sequence]).toEqual([0, 0]);
  }, 90000);
});
