import { gzipSync } from 'node:zlib';
import { loadExample, WITHHELD_WHEN_CLASSIFIED } from '@gateway/contracts';
import { createTopics, kafkaBrokers, readAllMessages, redisUrl, uniqueName } from '@gateway/tests/support/infra';
import { startTestIntake, type TestIntake } from './support';

const EXAMPLES = [
  'meeting-scheduled-hoi-nghi-bch',
  'meeting-updated-chuyen-chieu',
  'meeting-cancelled',
  'document-dispatched-hoa-toc',
  'document-dispatched-mat',
  'document-recalled',
] as const;

describe('intake against a real Kafka broker and Redis', () => {
  let intake: TestIntake;
  let topic: string;

  beforeAll(async () => {
    topic = uniqueName('events');
    await createTopics(kafkaBrokers(), [topic], 3);
    intake = await startTestIntake({ brokers: kafkaBrokers(), redisUrl: redisUrl(), topic, redisPrefix: `${uniqueName('intake')}:` });
  });

  afterAll(async () => {
    await intake?.cleanup();
  });

  /** A classified document is stored without what no channel may carry (see domain/classified.ts). */
  const asStored = (event: { data: { secrecy?: string } }): unknown =>
    event.data.secrecy === 'mat' ? { ...event, data: Object.fromEntries(Object.entries(event.data).filter(([k]) => !(WITHHELD_WHEN_CLASSIFIED as readonly string[]).includes(k))) } : event;

  it('when valid events are posted, then each is read back from the topic with its meeting/document id as key and an unchanged body (a mật one without its content)', async () => {
    const sent = EXAMPLES.map((name) => loadExample(name) as { id: string; type: string; data: { meetingId?: string; documentId?: string; secrecy?: string } });
    for (const event of sent) {
      const res = await intake.post(event);
      expect(res.status).toBe(202);
      expect(res.json).toMatchObject({ id: event.id, type: event.type, status: 'accepted' });
    }
    const records = await readAllMessages(kafkaBrokers(), topic, { expected: sent.length, timeoutMs: 20000 });
    expect(records).toHaveLength(sent.length);
    for (const event of sent) {
      const record = records.find((r) => (JSON.parse(r.value) as { id: string }).id === event.id);
      expect(record).toBeDefined();
      expect(record?.key).toBe(event.data.meetingId ?? event.data.documentId);
      expect(JSON.parse(record?.value ?? '{}')).toEqual(asStored(event));
      expect(record?.headers['event-type']).toBe(event.type);
      expect(record?.headers['api-key-name']).toBe('van-phong-thanh-uy');
      expect(record?.headers['authenticated-source']).toBe((event as { source?: string }).source);
    }
  });

  it('when a key sends an event of a source it does not own, then 403 names the source in Vietnamese and English, on both request paths, and nothing is published', async () => {
    const event = { ...(loadExample('meeting-cancelled') as object), id: uniqueName('foreign'), source: 'ubnd-lichhop' };
    const plain = await intake.post(event);
    const json = JSON.stringify(event);
    const gzipped = await intake.post(null, { raw: gzipSync(json), headers: { 'content-encoding': 'gzip' } });
    for (const res of [plain, gzipped]) {
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.json).toMatchObject({ status: 403, errors: [{ path: 'source' }] });
      expect(String(res.json.title)).toContain('Khóa API không được gửi');
      expect(String(res.json.detail)).toContain('"ubnd-lichhop"');
      expect(String(res.json.detail)).toContain('van-phong-thanh-uy');
    }
    // The owner of that id may still use it: nothing was claimed for it.
    const owned = await intake.post({ ...event, source: 'vpthanhuy-lichhop' });
    expect(owned.status).toBe(202);
    const records = await readAllMessages(kafkaBrokers(), topic, { expected: EXAMPLES.length + 1, timeoutMs: 20000 });
    expect(records.filter((r) => (JSON.parse(r.value) as { id: string }).id === event.id).map((r) => r.headers['authenticated-source'])).toEqual(['vpthanhuy-lichhop']);
  });

  it('when an event has no id, then intake assigns one and answers with it', async () => {
    const { id: _omit, ...event } = loadExample('document-dispatched-hoa-toc') as { id: string };
    const res = await intake.post(event);
    expect(res.status).toBe(202);
    expect(res.json.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('x-event-id')).toBe(res.json.id);
  });

  it('when 50 identical posts race, then exactly one record is published and all get the same answer', async () => {
    const ownTopic = uniqueName('dedup');
    await createTopics(kafkaBrokers(), [ownTopic], 3);
    const own = await startTestIntake({ brokers: kafkaBrokers(), redisUrl: redisUrl(), topic: ownTopic, redisPrefix: `${uniqueName('dedup')}:` });
    try {
      const event = { ...(loadExample('meeting-scheduled-hoi-nghi-bch') as object), id: uniqueName('evt') };
      const answers = await Promise.all(Array.from({ length: 50 }, () => own.post(event)));
      expect(answers.map((a) => a.status)).toEqual(Array(50).fill(202));
      expect(new Set(answers.map((a) => a.json.receivedAt)).size).toBe(1);
      expect(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(49);

      const conflict = await own.post({ ...event, source: 'he-thong-khac' });
      expect(conflict.status).toBe(409);
      expect(conflict.headers.get('content-type')).toContain('application/problem+json');

      // A marker event published after the race: once it is read, everything before it on its
      // partition is too. One meeting id means one partition, so all copies would be there.
      const marker = { ...event, id: uniqueName('marker') };
      expect((await own.post(marker)).status).toBe(202);
      const records = await readAllMessages(kafkaBrokers(), ownTopic, { expected: 2, timeoutMs: 20000 });
      const ids = records.map((r) => (JSON.parse(r.value) as { id: string }).id);
      expect(ids.filter((id) => id === event.id)).toHaveLength(1);
      expect(ids).toContain(marker.id);
    } finally {
      await own.cleanup();
    }
  });

  it('when the Idempotency-Key header is sent, then a repeat without an id replays the first answer', async () => {
    const { id: _omit, ...event } = loadExample('document-recalled') as { id: string };
    const key = uniqueName('idem');
    const first = await intake.post(event, { headers: { 'idempotency-key': key } });
    const second = await intake.post(event, { headers: { 'idempotency-key': key } });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.json.id).toBe(first.json.id);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
  });

  describe('authentication', () => {
    it('when no key is sent, then 401 with a Bearer challenge', async () => {
      const res = await intake.post(loadExample('meeting-cancelled'), { key: null });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('Bearer');
    });
    it('when a wrong key is sent, then 401', async () => {
      const res = await intake.post(loadExample('meeting-cancelled'), { key: 'gw_not-a-real-key' });
      expect(res.status).toBe(401);
    });
    it('when the key lacks events:write, then 403 naming the scope', async () => {
      const res = await intake.post(loadExample('meeting-cancelled'), { key: intake.keys.reader });
      expect(res.status).toBe(403);
      expect(String(res.json.detail)).toContain('events:write');
    });
    it('when /metrics is asked without an admin key, then 401/403, and with one, then Prometheus text', async () => {
      expect((await fetch(`${intake.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${intake.url}/metrics`, { headers: { authorization: `Bearer ${intake.keys.writer}` } })).status).toBe(403);
      const res = await fetch(`${intake.url}/metrics`, { headers: { authorization: `Bearer ${intake.keys.admin}` } });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toContain('intake_http_requests_total');
      expect(text).toContain('intake_events_accepted_total');
      expect(text).toContain('intake_publish_failures_total');
    });
  });

  describe('bad input', () => {
    it('when the body is not JSON, then 400 malformed JSON', async () => {
      const res = await intake.post(null, { raw: '{"type": "meeting.scheduled",' });
      expect(res.status).toBe(400);
      expect(res.json.type).toBe('/problems/malformed-json');
    });
    it('when the body starts with a UTF-8 byte order mark (as Windows tools write it), then it is accepted', async () => {
      const event = { ...(loadExample('meeting-cancelled') as Record<string, unknown>), id: `bom-${Date.now()}` };
      const res = await intake.post(null, { raw: `\uFEFF${JSON.stringify(event)}` });
      expect(res.status).toBe(202);
    });
    it('when the body is empty, then 400 naming the missing fields', async () => {
      const res = await intake.post(null, { raw: '' });
      expect(res.status).toBe(400);
      expect(res.json.type).toBe('/problems/invalid-fields');
    });
    it('when the body is a JSON scalar, not an object, then 400 malformed JSON', async () => {
      const res = await intake.post(null, { raw: '"just a string"' });
      expect(res.status).toBe(400);
      expect(res.json.type).toBe('/problems/malformed-json');
    });
    it('when the body comes gzip-compressed (the express path), then it is accepted like a plain one', async () => {
      const event = { ...(loadExample('meeting-cancelled') as Record<string, unknown>), id: `gz-${Date.now()}` };
      const res = await intake.post(null, { raw: gzipSync(JSON.stringify(event)), headers: { 'content-encoding': 'gzip' } });
      expect(res.status).toBe(202);
      expect(res.json).toMatchObject({ id: event.id, status: 'accepted' });
    });
    it('when the content type is not JSON, then 415', async () => {
      const res = await intake.post(null, { raw: 'type=meeting.scheduled', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(res.status).toBe(415);
    });
    it('when the body is over 1 MiB, then 413', async () => {
      const big = { ...(loadExample('meeting-scheduled-hoi-nghi-bch') as object), padding: 'x'.repeat(1024 * 1024 + 10) };
      const res = await intake.post(big);
      expect(res.status).toBe(413);
    });
    it('when the event type is unknown, then 422', async () => {
      const res = await intake.post({ ...(loadExample('meeting-cancelled') as object), type: 'meeting.postponed' });
      expect(res.status).toBe(422);
      expect(res.json.type).toBe('/problems/unknown-event-type');
    });
    it('when fields are invalid, then 400 listing every bad field path', async () => {
      const event = loadExample('meeting-scheduled-hoi-nghi-bch') as { data: Record<string, unknown> & { participants: Array<Record<string, unknown> | string> } };
      const participants = [...event.data.participants];
      const firstInline = participants.findIndex((p) => typeof p === 'object');
      participants[firstInline] = { ...(participants[firstInline] as object), phone: '0123456789', email: 'not-an-email' };
      const bad = { ...event, occurredAt: '2025-09-20T08:00:00', data: { ...event.data, start: '2025-09-29T08:00:00', participants } };
      const res = await intake.post(bad);
      expect(res.status).toBe(400);
      const paths = (res.json.errors as Array<{ path: string; message: string }>).map((e) => e.path).sort();
      expect(paths).toEqual(
        [
          'occurredAt',
          'data.start',
          `data.participants[${firstInline}].phone`,
          `data.participants[${firstInline}].email`,
        ].sort(),
      );
      for (const e of res.json.errors as Array<{ message: string }>) expect(e.message.length).toBeGreaterThan(5);
    });
  });
});
