import { startLocalKafka, type LocalKafka } from '@gateway/infra';
import { loadExample } from '@gateway/contracts';
import { createTopics, readAllMessages, redisUrl, uniqueName, waitFor } from '@gateway/tests/support/infra';
import { startTestIntake, type TestIntake } from './support';

// This test stops and restarts a broker, so it runs its own, never the shared one.
describe('intake when Kafka goes away and comes back', () => {
  let kafka: LocalKafka;
  let intake: TestIntake;
  const topic = uniqueName('outage');

  beforeAll(async () => {
    kafka = await startLocalKafka();
    await createTopics(kafka.brokers, [topic], 3);
    intake = await startTestIntake({ brokers: kafka.brokers, redisUrl: redisUrl(), topic, redisPrefix: `${uniqueName('outage')}:`, publishTimeoutMs: 2000 });
  }, 120000);

  afterAll(async () => {
    await intake?.cleanup();
    await kafka?.remove();
  });

  const event = (n: number) => ({ ...(loadExample('document-dispatched-hoa-toc') as object), id: `outage-${topic}-${n}` });
  const ready = async () => (await fetch(`${intake.url}/readyz`)).json() as Promise<{ ready: boolean; bus: { kind: string; ok: boolean }; store: { kind: string; ok: boolean } }>;

  it('then it answers 503 with Retry-After and readyz false while down, accepts again once back, and loses nothing it acknowledged', async () => {
    const accepted: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await intake.post(event(i));
      expect(res.status).toBe(202);
      accepted.push(String(res.json.id));
    }
    await waitFor(async () => (await ready()).ready, { timeoutMs: 10000 });

    await kafka.stop();

    const refused = await intake.post(event(100));
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.json.type).toBe('/problems/unavailable');
    await waitFor(async () => (await ready()).bus.ok === false, { timeoutMs: 10000 });
    const readyz = await fetch(`${intake.url}/readyz`);
    expect(readyz.status).toBe(503);

    await kafka.start();
    await waitFor(async () => (await ready()).ready, { timeoutMs: 60000 });

    // The client retries the refused event with the same id, as the 503 told it to.
    await waitFor(async () => (await intake.post(event(100))).status === 202, { timeoutMs: 60000, intervalMs: 500 });
    accepted.push(`outage-${topic}-100`);
    for (let i = 20; i < 40; i++) {
      const res = await intake.post(event(i));
      expect(res.status).toBe(202);
      accepted.push(String(res.json.id));
    }

    const records = await readAllMessages(kafka.brokers, topic, { expected: accepted.length, timeoutMs: 30000 });
    const ids = records.map((r) => (JSON.parse(r.value) as { id: string }).id);
    for (const id of accepted) expect(ids.filter((x) => x === id)).toHaveLength(1);
  }, 180000);
});
