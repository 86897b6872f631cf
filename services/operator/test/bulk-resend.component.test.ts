import { waitFor } from '@gateway/tests/support/infra';
import { produceMessages, smsMessage } from '@gateway/worker-core/test/support/kafka';
import type { SmsTestBed } from '@gateway/worker-sms/test/support/harness';
import type { LoopbackTwilio } from '@gateway/worker-sms/test/support/loopback-providers';
import type { RunningOperator } from '../src/main';
import { startSmsPipeline, type SmsPipeline } from './sms-pipeline';
import { client, produceRendered, startTestOperator, type TestKeys } from './support';

jest.setTimeout(240_000);

const N = 1000;

describe('bulk resend of 1,000 failed SMS through the real SMS worker, with an operator restart in the middle', () => {
  let sms: SmsPipeline;
  let bed: SmsTestBed;
  let twilio: LoopbackTwilio;
  let producer: SmsPipeline['producer'];
  let keys: TestKeys;
  let operator: RunningOperator | undefined;

  beforeAll(async () => {
    // The originals went to wrong numbers; resends (after the numbers were fixed at the source) go through.
    sms = await startSmsPipeline('op-bulk', (req) => (req.messageId.startsWith('r-') ? { kind: 'accept' } : { kind: 'error', status: 400, code: 21211, message: "The 'To' number is not a valid phone number." }));
    ({ bed, twilio, producer, keys } = sms);
  });

  afterAll(async () => {
    await operator?.stop();
    await sms?.stop();
  });

  it('when 1,000 failed messages are resent as one job and the operator restarts midway, then progress is exact and every message reaches Twilio exactly once', async () => {
    const eventId = `${bed.prefix}-event`;
    const messages = Array.from({ length: N }, (_, i) => smsMessage(bed.prefix, i + 1, { eventId }));
    await produceRendered(producer, bed.topics, messages);
    await produceMessages(producer, bed.topics.sms, messages);
    operator = await startTestOperator(bed.prefix, keys, { env: { RESEND_JOB_BATCH: '20' } });
    let call = client(operator.url);
    await waitFor(async () => (await call('GET', `/v1/notifications?eventId=${eventId}&status=failed&pageSize=0`, keys.viewer)).json.total === N, { timeoutMs: 120_000, intervalMs: 500, message: `${N} failed messages projected` });
    expect(twilio.accepted).toHaveLength(0);

    const created = await call('POST', '/v1/resend-jobs', keys.operator, { filter: { eventId, status: 'failed', channel: 'sms' } });
    expect(created.status).toBe(202);
    expect(created.json.total).toBe(N);
    const jobId = String(created.json.id);

    const seen: number[] = [];
    const progress = async () => {
      const job = (await call('GET', `/v1/resend-jobs/${jobId}`, keys.viewer)).json as { state: string; total: number; done: number; failed: number; skipped: number };
      seen.push(job.done + job.failed + job.skipped);
      return job;
    };
    await waitFor(async () => (await progress()).done >= 200, { timeoutMs: 60_000, intervalMs: 50, message: 'a fifth of the job done' });
    await operator.stop();
    const atStop = await (async () => {
      operator = await startTestOperator(bed.prefix, keys, { env: { RESEND_JOB_BATCH: '20' } });
      call = client(operator.url);
      return seen[seen.length - 1] ?? 0;
    })();
    expect(atStop).toBeLessThan(N);

    const final = await waitFor(async () => {
      const job = await progress();
      return job.state === 'done' ? job : undefined;
    }, { timeoutMs: 120_000, intervalMs: 200, message: 'the job finished after the restart' });
    expect(final).toMatchObject({ state: 'done', total: N, done: N, failed: 0, skipped: 0 });
    // Progress only moved forward and never past the total.
    for (let i = 1; i < seen.length; i += 1) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1] as number);
    expect(Math.max(...seen)).toBe(N);

    await waitFor(() => twilio.accepted.filter((r) => r.messageId.startsWith('r-')).length >= N, { timeoutMs: 120_000, intervalMs: 250, message: `${N} resends accepted by Twilio` });
    const resends = twilio.accepted.filter((r) => r.messageId.startsWith('r-'));
    expect(new Set(resends.map((r) => r.messageId)).size).toBe(N);
    expect(twilio.duplicates()).toEqual([]);
    expect(new Set(resends.map((r) => r.to)).size).toBe(N);
    // Each resend is linked to its original, and the originals are all covered.
    const sample = await call('GET', `/v1/notifications/${messages[N - 1]?.id}`, keys.viewer);
    expect((sample.json.resends as Array<{ jobId?: string }>)[0]?.jobId).toBe(jobId);
    await waitFor(async () => (await call('GET', `/v1/notifications?eventId=${eventId}&status=sent&pageSize=0`, keys.viewer)).json.total === N, { timeoutMs: 60_000, intervalMs: 500, message: 'every resend projected as sent' });
    const report = await call('GET', `/v1/events/${eventId}/report`, keys.viewer);
    // Each original and its resend are one notification, counted by the resend's state.
    expect(report.json).toMatchObject({ total: N, counts: { failed: 0, sent: N }, unreached: [] });
  });
});
