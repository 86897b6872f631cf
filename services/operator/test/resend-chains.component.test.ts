import { waitFor } from '@gateway/tests/support/infra';
import { produceMessages, smsMessage } from '@gateway/worker-core/test/support/kafka';
import type { SmsTestBed } from '@gateway/worker-sms/test/support/harness';
import type { LoopbackTwilio } from '@gateway/worker-sms/test/support/loopback-providers';
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
    const sent = resendRequests().slice(before);
    // The next job must see these resends failed: wait until each is in the failed list.
    await waitFor(async () => {
      const failed = await failedIds();
      return sent.every((r) => failed.has(r.messageId));
    }, { timeoutMs: 120_000, intervalMs: 500, message: 'every resend of the job projected as failed' });
    // Taken again after the projection wait: a late extra send of this job would be counted here.
    const requests = resendRequests().slice(before);
    expect(requests).toHaveLength(total);
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

describe('overlapping resends of one event (two jobs at once, a job and single resends; real SMS worker, Kafka and Redis)', () => {
  let sms: SmsPipeline;
  let bed: SmsTestBed;
  let twilio: LoopbackTwilio;
  let keys: TestKeys;
  let operator: RunningOperator;
  let call: ReturnType<typeof client>;

  beforeAll(async () => {
    sms = await startSmsPipeline('op-overlap', () => ({ kind: 'error', status: 400, code: 21211, message: "The 'To' number is not a valid phone number." }));
    ({ bed, twilio, keys } = sms);
    operator = await startTestOperator(bed.prefix, keys, { env: { RESEND_JOB_BATCH: '25' } });
    call = client(operator.url);
  });

  afterAll(async () => {
    await operator?.stop();
    await sms?.stop();
  });

  /** Puts `count` SMS of a new event through the worker (each fails) and waits until all are in the failed list. */
  async function failedEvent(name: string, first: number, count: number) {
    const eventId = `${bed.prefix}-${name}`;
    const messages = Array.from({ length: count }, (_, i) => smsMessage(bed.prefix, first + i, { eventId }));
    await produceRendered(sms.producer, bed.topics, messages);
    await produceMessages(sms.producer, bed.topics.sms, messages);
    await waitFor(async () => (await call('GET', `/v1/notifications?eventId=${eventId}&status=failed&pageSize=0`, keys.viewer)).json.total === count, { timeoutMs: 120_000, intervalMs: 500, message: `${count} failed SMS of ${name} projected` });
    return { eventId, messages, phones: new Set(messages.map((m) => m.recipient.phone)) };
  }

  const resendsTo = (phones: Set<string | undefined>) => twilio.requests.filter((r) => r.messageId.startsWith('r-') && phones.has(r.to));

  async function jobDone(id: string) {
    return waitFor(async () => {
      const j = (await call('GET', `/v1/resend-jobs/${id}`, keys.viewer)).json;
      return j.state === 'done' ? j : undefined;
    }, { timeoutMs: 120_000, intervalMs: 250, message: `job ${id} done` });
  }

  /** Waits until every resend Twilio got for the event is projected as failed, then answers them (a late extra send is counted). */
  async function settledResends(eventId: string, phones: Set<string | undefined>, atLeast: number) {
    await waitFor(() => resendsTo(phones).length >= atLeast, { timeoutMs: 120_000, intervalMs: 250, message: `${atLeast} resends reached Twilio` });
    await waitFor(async () => {
      const res = await call('GET', `/v1/notifications?eventId=${eventId}&status=failed&pageSize=500`, keys.viewer);
      const failed = new Set((res.json.items ?? []).map((i) => String(i.messageId)));
      return resendsTo(phones).every((r) => failed.has(r.messageId));
    }, { timeoutMs: 120_000, intervalMs: 500, message: 'every resend projected as failed' });
    return resendsTo(phones);
  }

  it('when two jobs are created at once over the same 100 failed SMS (a double click, two operators), then Twilio gets exactly 100 resends, one per person', async () => {
    const { eventId, phones } = await failedEvent('double', 1, 100);
    const filter = { filter: { eventId, status: 'failed', channel: 'sms' } };
    const created = await Promise.all([call('POST', '/v1/resend-jobs', keys.operator, filter), call('POST', '/v1/resend-jobs', keys.operator, filter)]);
    expect(created.map((c) => [c.status, c.json.total])).toEqual([[202, 100], [202, 100]]);
    const jobs = await Promise.all(created.map((c) => jobDone(String(c.json.id))));
    expect(jobs.reduce((n, j) => n + Number(j?.done), 0)).toBe(100);
    expect(jobs.reduce((n, j) => n + Number(j?.skipped), 0)).toBe(100);
    expect(jobs.every((j) => j?.failed === 0)).toBe(true);
    const requests = await settledResends(eventId, phones, 100);
    expect(requests).toHaveLength(100);
    expect(new Set(requests.map((r) => r.to)).size).toBe(100);
  });

  it('when single resends race a job over the same failed SMS, then each person gets one resend, from the click or from the job', async () => {
    const { eventId, messages, phones } = await failedEvent('race', 1001, 30);
    // No worker while they race: every resend stays on its way (none fails before the others are
    // decided), so a second resend of a person could only come from the race itself.
    await sms.stopWorker();
    const [created, ...clicks] = await Promise.all([
      call('POST', '/v1/resend-jobs', keys.operator, { filter: { eventId, status: 'failed', channel: 'sms' } }),
      ...messages.map((m) => call('POST', `/v1/notifications/${m.id}/resend`, keys.operator, { requestId: `click-${m.id}` })),
    ]);
    expect(created?.status).toBe(202);
    const job = await jobDone(String(created?.json.id));
    await sms.startWorker();
    const accepted = clicks.filter((c) => c.status === 202).length;
    expect(clicks.every((c) => c.status === 202 || (c.status === 409 && /already-resent$/.test(String(c.json.type))))).toBe(true);
    expect(accepted + Number(job?.done)).toBe(30);
    const requests = await settledResends(eventId, phones, 30);
    expect(requests).toHaveLength(30);
    expect(new Set(requests.map((r) => r.to)).size).toBe(30);
  });
});
