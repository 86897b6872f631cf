import { loadExample } from '@gateway/contracts';
import { createTopics, kafkaBrokers, redisUrl, uniqueName } from '@gateway/tests/support/infra';
import { startTestIntake, type TestIntake } from './support';

/** A small deterministic PRNG so a failing case can be reproduced from its seed. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const JUNK: Json[] = [null, true, false, 0, -1, 1e308, '', ' ', 'x'.repeat(5000), '<script>alert(1)</script>', '0123456789', '2025-13-45T99:99:99', [], {}, [null], { __proto__: { polluted: true } } as unknown as Json, { constructor: { prototype: {} } }, '\u0000\uffff\ud800', 'Đảng ủy phường'];

function mutate(value: Json, rand: () => number, depth = 0): Json {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  if (value === null || typeof value !== 'object' || depth > 6) return rand() < 0.5 ? pick(JUNK) : value;
  if (Array.isArray(value)) {
    const copy = value.map((v) => (rand() < 0.3 ? mutate(v, rand, depth + 1) : v));
    if (rand() < 0.2) copy.push(pick(JUNK));
    if (rand() < 0.1) copy.splice(0, copy.length);
    return copy;
  }
  const copy: { [k: string]: Json } = { ...value };
  const keys = Object.keys(copy);
  const roll = rand();
  const key = pick(keys);
  if (key === undefined) return copy;
  if (roll < 0.25) delete copy[key];
  else if (roll < 0.55) copy[key] = pick(JUNK);
  else if (roll < 0.65) copy[`${key}_typo`] = copy[key] ?? null;
  else copy[key] = mutate(copy[key] ?? null, rand, depth + 1);
  return copy;
}

function rawJunk(rand: () => number): string {
  const forms = [
    () => '',
    () => '[]',
    () => 'null',
    () => '"meeting.scheduled"',
    () => '{"type":',
    () => '{'.repeat(2000) + '}'.repeat(2000),
    () => '['.repeat(5000),
    () => Buffer.from(Array.from({ length: 64 }, () => Math.floor(rand() * 256))).toString('latin1'),
    () => '{"type":"meeting.scheduled","data":' + '['.repeat(3000) + ']'.repeat(3000) + '}',
    () => JSON.stringify({ type: 'meeting.scheduled', data: 'x'.repeat(100) }),
  ];
  return (forms[Math.floor(rand() * forms.length)] as () => string)();
}

describe('intake under malformed input', () => {
  let intake: TestIntake;

  beforeAll(async () => {
    const topic = uniqueName('fuzz');
    await createTopics(kafkaBrokers(), [topic], 3);
    intake = await startTestIntake({ brokers: kafkaBrokers(), redisUrl: redisUrl(), topic, redisPrefix: `${uniqueName('fuzz')}:` });
  });

  afterAll(async () => {
    await intake?.cleanup();
  });

  it('when 1,200 generated malformed bodies are thrown at it, then none gets a 5xx and the service stays up', async () => {
    const seed = 20251127;
    const rand = prng(seed);
    const examples = ['meeting-scheduled-hoi-nghi-bch', 'meeting-updated-chuyen-chieu', 'meeting-cancelled', 'document-dispatched-hoa-toc', 'document-dispatched-mat', 'document-recalled'].map((n) => loadExample(n) as Json);
    const statuses = new Map<number, number>();
    for (let i = 0; i < 1200; i++) {
      const useRaw = rand() < 0.15;
      let body: Json | undefined;
      let raw: string | undefined;
      if (useRaw) raw = rawJunk(rand);
      else {
        body = examples[i % examples.length] as Json;
        const rounds = 1 + Math.floor(rand() * 4);
        for (let r = 0; r < rounds; r++) body = mutate(body, rand);
        if (body !== null && typeof body === 'object' && !Array.isArray(body)) body = { ...body, id: `fuzz-${seed}-${i}` };
      }
      const res = await intake.post(body, raw === undefined ? {} : { raw });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500) throw new Error(`case ${i} (seed ${seed}) got ${res.status}: ${JSON.stringify(res.json).slice(0, 300)}`);
      if (res.status === 400) {
        expect(Array.isArray(res.json.errors)).toBe(true);
        for (const e of res.json.errors as Array<{ path: unknown; message: unknown }>) {
          expect(typeof e.path).toBe('string');
          expect(typeof e.message).toBe('string');
        }
      }
    }
    const health = await fetch(`${intake.url}/healthz`);
    expect(health.status).toBe(200);
    // Most mutated bodies are refused; a few mutations only drop optional fields and are valid.
    expect((statuses.get(400) ?? 0) + (statuses.get(422) ?? 0)).toBeGreaterThan(900);
  });
});
