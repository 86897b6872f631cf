import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allTopics, loadExample, withPrefix, type Topics } from '@gateway/contracts';
import { createLogger, generateKey, hashKey } from '@gateway/common';
import { loadIntakeSettings, startIntake, type RunningIntake } from '@gateway/intake';
import { loadRendererSettings, startRenderer, type RunningRenderer } from '@gateway/renderer';
import { createTopics, kafkaBrokers, readAllMessages, readEveryTopic, redisUrl, uniqueName, type ReadMessage } from '@gateway/tests/support/infra';

/**
 * What reaches the brokers, end to end: intake and renderer on a real Kafka and Redis, each test
 * on its own topic prefix, so "every topic with the prefix" is exactly what this test produced.
 */

interface Pipeline {
  topics: Topics;
  prefix: string;
  post(body: string): Promise<Response>;
  stop(): Promise<void>;
}

const key = generateKey();
const dir = mkdtempSync(join(tmpdir(), 'gateway-text-hygiene-'));
const keysFile = join(dir, 'keys.json');
writeFileSync(keysFile, JSON.stringify({ keys: [{ name: 'lich-hop', sha256: hashKey(key), scopes: ['events:write'], sources: ['vpthanhuy-lichhop', 'vpthanhuy-vanban'] }] }));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function startPipeline(name: string): Promise<Pipeline> {
  const prefix = uniqueName(name);
  const topics = withPrefix(prefix);
  await createTopics(kafkaBrokers(), allTopics(topics), 3);
  const common = { KAFKA_BROKERS: kafkaBrokers().join(','), REDIS_URL: redisUrl(), REDIS_KEY_PREFIX: `${prefix}:`, GATEWAY_KEYS_FILE: keysFile, TOPIC_PREFIX: prefix, KAFKA_CREATE_TOPICS: 'false', LOG_LEVEL: 'silent' };
  const logger = (service: string) => ({ logger: createLogger({ name: service, level: 'silent' }) });
  let renderer: RunningRenderer | undefined;
  let intake: RunningIntake | undefined;
  try {
    renderer = await startRenderer(loadRendererSettings({ ...common, RENDERER_PORT: '0', RENDERER_GROUP_ID: `${prefix}-renderer` }), logger('renderer'));
    intake = await startIntake(loadIntakeSettings({ ...common, INTAKE_PORT: '0' }), logger('intake'));
  } catch (err) {
    await Promise.allSettled([intake?.stop(), renderer?.stop()]);
    throw err;
  }
  const url = intake.url;
  return {
    topics,
    prefix,
    post: (body) => fetch(`${url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body }),
    async stop() {
      await Promise.allSettled([intake?.stop(), renderer?.stop()]);
    },
  };
}

const A = { id: 'nguyen-van-an', name: 'Nguyễn Văn An', title: 'Phó Bí thư Thường trực', phone: '+84905123456', email: 'nvan@danang.gov.vn', userId: 'u-10231' };
const B = { id: 'tran-thi-bich', name: 'Trần Thị Bích', unit: 'Văn phòng Thành ủy', email: 'ttbich@danang.gov.vn' };
/** A gets sms, email, push and inapp; B gets email: five channel messages per event. */
const EXPECTED = { sms: 1, email: 2, push: 1, inapp: 1 } as const;

async function channelMessages(topics: Topics): Promise<Record<keyof typeof EXPECTED, Array<Record<string, unknown>>>> {
  const read = async (channel: keyof typeof EXPECTED) =>
    (await readAllMessages(kafkaBrokers(), topics[channel], { expected: EXPECTED[channel], timeoutMs: 30_000 })).map((m) => JSON.parse(m.value) as Record<string, unknown>);
  return { sms: await read('sms'), email: await read('email'), push: await read('push'), inapp: await read('inapp') };
}

function bytesOf(messages: ReadMessage[]): string {
  return messages.map((m) => [m.key ?? '', m.value, ...Object.entries(m.headers).flat()].join('\u0001')).join('\u0002');
}

const noMarks = (text: string): string => text.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');

describe('text hygiene end to end (intake -> renderer -> channel topics, real Kafka and Redis)', () => {
  it('when an event is sent in NFD with escapes and bidi overrides, then every channel message carries NFC text without them', async () => {
    const pipeline = await startPipeline('nfd');
    try {
      const title = 'Hội nghị Ban Chấp hành Đảng bộ thành phố lần thứ 3';
      const example = loadExample('meeting-scheduled-hoi-nghi-bch') as { data: Record<string, unknown> };
      const event = {
        ...example,
        id: `${pipeline.prefix}-nfd`,
        data: {
          ...example.data,
          meetingId: `${pipeline.prefix}-hop`,
          title,
          chair: '\u001b[31mĐồng chí Bí thư Thành ủy\u001b[0m \u202echủ trì\u202c',
          participants: [A, B],
        },
      };
      const body = JSON.stringify(event).normalize('NFD');
      expect(body).not.toContain(title);
      expect((await pipeline.post(body)).status).toBe(202);

      const { sms, email, push, inapp } = await channelMessages(pipeline.topics);
      for (const message of email) {
        expect(message.subject).toEqual(expect.stringContaining(title));
        expect(message.text).toEqual(expect.stringContaining(title));
        expect(message.html).toEqual(expect.stringContaining(title));
        expect(message.text).toEqual(expect.stringContaining('Đồng chí Bí thư Thành ủy chủ trì'));
      }
      expect(email.map((m) => (m.recipient as { name: string }).name).sort()).toEqual([A.name, B.name].sort());
      expect(push[0]?.title).toBe('[KHẨN] Giấy mời họp số 512-GM/TU');
      expect(push[0]?.body).toEqual(expect.stringContaining(title));
      expect(`${String(inapp[0]?.title)}\n${String(inapp[0]?.body)}`).toEqual(expect.stringContaining(title));
      expect(sms[0]?.text).toEqual(expect.stringContaining(noMarks(title)));

      const everything = await readEveryTopic(kafkaBrokers(), `${pipeline.prefix}.`);
      const bytes = bytesOf([...everything.values()].flat());
      expect(bytes).toBe(bytes.normalize('NFC'));
      // eslint-disable-next-line no-control-regex
      expect(bytes).not.toMatch(/[\u001b\u202a-\u202e\u2066-\u2069]/);
      // Escaped forms count too: JSON could carry them as \u escapes.
      expect(bytes).not.toMatch(/\\u(001b|202[a-e]|206[6-9])/i);
    } finally {
      await pipeline.stop();
    }
  }, 90_000);

  it('when a name holds a lone surrogate, then the intake answers 400 naming the field and publishes nothing', async () => {
    const pipeline = await startPipeline('surrogate');
    try {
      const example = loadExample('meeting-cancelled') as { data: Record<string, unknown> };
      const event = { ...example, id: `${pipeline.prefix}-lone`, data: { ...example.data, participants: [A, { ...B, name: 'SURROGATE' }] } };
      // The JSON text escapes it, as a client with a broken string would send it.
      const res = await pipeline.post(JSON.stringify(event).replace('SURROGATE', 'Tr\\ud800n'));
      expect(res.status).toBe(400);
      const problem = (await res.json()) as { errors: Array<{ path: string; message: string }> };
      expect(problem.errors).toEqual([{ path: 'data.participants[1].name', message: expect.stringMatching(/ill-formed Unicode/) as string }]);
      const everything = await readEveryTopic(kafkaBrokers(), `${pipeline.prefix}.`);
      expect([...everything.values()].flat()).toEqual([]);
    } finally {
      await pipeline.stop();
    }
  }, 90_000);

  it('when a mật document goes through, then no topic holds its summary, handlers or issuing-body details; a retry replays and another summary is a 409', async () => {
    const pipeline = await startPipeline('mat');
    try {
      // Upper case: never part of the (lower-case) prefix in ids and keys.
      const token = `T${Math.random().toString(36).slice(2, 10).toUpperCase()}`;
      const secret = {
        summary: `Trích yếu về nhân sự tuyệt đối không lưu ${token}-SUMMARY`,
        issuingBody: `Ban Nội chính đặc biệt ${token}-BODY`,
        issueDate: '2024-01-17',
        arrivalNumber: `${token}-ARRIVAL`,
        arrivalDate: '2024-01-18',
        deadline: '2024-02-19',
        handlers: [`Ban Tổ chức xử lý hồ sơ ${token}-HANDLER`],
      };
      const example = loadExample('document-dispatched-mat') as { data: Record<string, unknown> };
      const event = { ...example, id: `${pipeline.prefix}-mat`, data: { ...example.data, ...secret, documentId: `${pipeline.prefix}-vb`, recipients: [A, B] } };
      const body = JSON.stringify(event);
      expect((await pipeline.post(body)).status).toBe(202);
      const retry = await pipeline.post(body);
      expect(retry.status).toBe(202);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      const changed = JSON.stringify({ ...event, data: { ...event.data, summary: 'Một trích yếu khác' } });
      expect((await pipeline.post(changed)).status).toBe(409);

      const { sms, email } = await channelMessages(pipeline.topics);
      expect(sms[0]?.text).toEqual(expect.stringContaining('36-HD/VPTW'));
      expect(email).toHaveLength(2);
      // Every status of the five messages is written before the topics are read.
      await readAllMessages(kafkaBrokers(), pipeline.topics.status, { expected: 5, timeoutMs: 30_000 });

      const everything = await readEveryTopic(kafkaBrokers(), `${pipeline.prefix}.`);
      expect(everything.get(pipeline.topics.events)).toHaveLength(1);
      const bytes = bytesOf([...everything.values()].flat());
      expect(bytes).toContain(`${pipeline.prefix}-vb`);
      const forbidden = [secret.summary, secret.issuingBody, secret.arrivalNumber, ...secret.handlers, secret.issueDate, secret.arrivalDate, secret.deadline];
      const found = forbidden.flatMap((text) => [text, noMarks(text), `${token}-`].filter((form) => bytes.includes(form)));
      expect(found).toEqual([]);
    } finally {
      await pipeline.stop();
    }
  }, 90_000);
});
