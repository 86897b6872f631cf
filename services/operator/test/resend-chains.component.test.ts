import { waitFor } from '../../../tests/support/infra';
import { produceMessages, smsMessage } from '../../workers/core/test/support/kafka';
import type { SmsTestBed } from '../../workers/sms/test/support/harness';
import type { LoopbackTwilio } from '../../workers/sms/test/support/loopback-providers';
import type { RunningOperator } from '../src/main';
import { startSmsPipeline, type SmsPipeline } from './sms-pipeline';
import { client, produceRendered, startTestOperator, type TestKeys } from './support';

jest.setTimeout(300_000);

const N = 200;

describe('bulk resend of SMS that were resent once and failed again (real SMS worker, Kafka and Redis)', () => {
  let sms: SmsPipeline;
  let bed: SmsTestBed;
  let twilio: LoopbackTwilio;
  let producer: SmsPipeline['producer'];
  let keys: TestKeys;
  let operator: RunningOperator;
  let call: ReturnType<typeof client>;

  beforeAll(async () => {
    // Every number is wrong, the resends' too: each job's resends fail again.
    sms = await startSmsPipeline('op-chains', () => ({ kind: 'error', status: 400, code: 21211, message: "The 'To' number is not a valid phone number." }));
    ({ bed, twilio, producer, keys } = sms);
    operator = await startTestOperator(bed.prefix, keys, { env: { RESEND_JOB_BATCH: '25' } });
    call = client(operator.url);
  });

  afterAll(async () => {
    await operator?.stop();
    await sms?.stop();
  });

  const eventId = () => `${bed.prefix}-event`;
  const resendRequests = () => twilio.requests.filter((r) => r.messageId.startsWith('r-'));

  /** Every id of the failed list for the event, page by page. */
  async function failedIds(): Promise<Set<string>> {
    const ids = new Set<string>();
    for (let page = 1; ; page += 1) {
      const res = await call('GET', `/v1/notifications?eventId=${eventId()}&status=failed&pageSize=500&page=${page}`, keys.viewer);
      const items = res.json.items ?? [];
      for (const item of items) ids.add(String(item.messageId));
      if (items.length < 500) return ids;
    }
  }

  /** Runs one bulk job over the event's failed SMS; answers its total and the resends it put on Twilio, once all of them failed in the read model. */
  async function bulkResend(): Promise<{ total: number; requests: typeof twilio.requests }> {
    const before = resendRequests().length;
    const created = await call('POST', '/v1/resend-jobs', keys.operator, { filter: { eventId: eventId(), status: 'failed', channel: 'sms' } });
    expect(created.status).toBe(202);
    const jobId = String(created.json.id);
    const total = Number(created.json.total);
    const job = await waitFor(async () => {
      const j = (await call('GET', `/v1/resend-jobs/${jobId}`, keys.viewer)).json;
      return j.state === 'done' ? j : undefined;
    }, { timeoutMs: 120_000, intervalMs: 250, message: `job ${jobId} done` });
    expect(job).toMatchObject({ failed: 0, skipped: 0, done: total });
    await waitFor(() => resendRequests().length >= before + total, { timeoutMs: 120_000, intervalMs: 250, message: `${total} resends reached Twilio` });
    const requests = resendRequests().slice(before);
    // The next job must see these resends failed: wait until each is in the failed list.
    await waitFor(async () => {
      const failed = await failedIds();
      return requests.every((r) => failed.has(r.messageId));
    }, { timeoutMs: 120_000, intervalMs: 500, message: 'every resend of the job projected as failed' });
    return { total, requests };
  }

  it('when every one of 200 failed SMS was resent once and failed again, then a bulk job sends exactly one per person, and so does the next one', async () => {
    const messages = Array.from({ length: N }, (_, i) => smsMessage(bed.prefix, i + 1, { eventId: eventId() }));
    await produceRendered(producer, bed.topics, messages);
    await produceMessages(producer, bed.topics.sms, messages);
    await waitFor(async () => (await failedIds()).size === N, { timeoutMs: 120_000, intervalMs: 500, message: `${N} failed SMS projected` });

    // Each original resent once; each resend failed again.
    const first = await bulkResend();
    expect(first.total).toBe(N);
    expect(new Set(first.requests.map((r) => r.to)).size).toBe(N);

    // The failed list: one row per person, the failed resend, which stands for its original.
    const failed = await failedIds();
    expect(failed.size).toBe(N);
    expect([...failed].every((id) => id.startsWith('r-'))).toBe(true);

    const second = await bulkResend();
    expect(second.total).toBe(N);
    expect(second.requests).toHaveLength(N);
    expect(new Set(second.requests.map((r) => r.to)).size).toBe(N);
    expect(new Set(second.requests.map((r) => r.messageId)).size).toBe(N);

    const third = await bulkResend();
    expect(third.total).toBe(N);
    expect(new Set(third.requests.map((r) => r.to)).size).toBe(N);
    expect((await failedIds()).size).toBe(N);

    // Every attempt is kept for the history: the original's detail lists its three resends.
    const detail = await call('GET', `/v1/notifications/${messages[0]?.id}`, keys.viewer);
    expect((detail.json.resends as unknown[]).length).toBe(3);
    expect(detail.json).toMatchObject({ resendable: true, resentAs: { status: 'failed' } });
    const all = await call('GET', `/v1/notifications?eventId=${eventId()}&status=failed&attempts=all&pageSize=0`, keys.viewer);
    expect(all.json.total).toBe(4 * N);
  });
});
