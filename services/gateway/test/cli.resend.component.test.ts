import { loadExample } from '@gateway/contracts';
import { startMailPipeline, type MailPipeline } from '@gateway/operator/test/mail-pipeline';
import { waitFor } from '@gateway/tests/support/infra';
import { gateway } from './cli-support';

describe('admin CLI resend: emails a relay refused, resent by filter through the operator (real Kafka, Redis, SMTP)', () => {
  let p: MailPipeline;

  beforeAll(async () => {
    p = await startMailPipeline('cli-resend');
  }, 90_000);

  afterAll(async () => {
    await p?.stop();
  });

  it('when the email worker holds its partitions, then its health endpoints say so', async () => {
    expect((await fetch(`${p.worker.url}/healthz`)).status).toBe(200);
    await waitFor(async () => (await fetch(`${p.worker.url}/readyz`)).status === 200, { timeoutMs: 30_000, message: 'email worker ready' });
    expect(await (await fetch(`${p.worker.url}/readyz`)).json()).toEqual({ ready: true, consuming: true });
  });

  it('when two emails of an event failed permanently and the relay works again, then `resend --status failed --channel email --event` resends both and reports 2/2 done, and a second run finds nothing left to resend', async () => {
    // The relay refuses both recipients once (550: permanent, no retry), then accepts.
    p.smtp.answerRcpt({ code: 550, text: '5.1.1 mailbox unavailable' }, { code: 550, text: '5.1.1 mailbox unavailable' });
    const eventId = `${p.prefix}-evt`;
    const example = loadExample('meeting-scheduled-hoi-nghi-bch') as { data: Record<string, unknown> };
    const participants = [
      { id: 'nguyen-van-an', name: 'Nguyễn Văn An', email: 'nvan@example.gov.vn' },
      { id: 'le-thi-dung', name: 'Lê Thị Dung', email: 'ltdung@example.gov.vn' },
    ];
    const event = { ...example, id: eventId, data: { ...example.data, meetingId: `${eventId}-hop`, participants } };
    const sent = await fetch(`${p.intake.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${p.key}`, 'content-type': 'application/json' }, body: JSON.stringify(event) });
    expect(sent.status).toBe(202);
    const failedOf = async () => {
      const res = await fetch(`${p.operator.url}/v1/notifications?eventId=${eventId}&channel=email&status=failed`, { headers: { authorization: `Bearer ${p.key}` } });
      return ((await res.json()) as { total: number }).total;
    };
    await waitFor(async () => (await failedOf()) === 2, { timeoutMs: 45_000, message: 'both emails recorded as failed by the operator' });
    expect(p.smtp.accepted).toHaveLength(0);

    const env = { GATEWAY_KEY: p.key, GATEWAY_OPERATOR_URL: p.operator.url };
    const run = await gateway(['resend', '--status', 'failed', '--channel', 'email', '--event', eventId, '--poll-ms', '100'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/resend job \S+: 2 notification\(s\) match/);
    expect(run.stdout).toContain('done: 2/2 resent, 0 failed, 0 skipped');

    // The resent copies reach the relay, which now accepts them.
    await waitFor(() => p.smtp.accepted.length === 2, { timeoutMs: 45_000, message: 'both resent emails accepted by the relay' });
    expect(p.smtp.accepted.flatMap((m) => m.to).sort()).toEqual(['ltdung@example.gov.vn', 'nvan@example.gov.vn']);

    // Each original and its resend are one notification, the resend's: once the resends' first
    // statuses are projected, nothing failed is left, and the same command finds nothing to resend.
    await waitFor(async () => (await failedOf()) === 0, { timeoutMs: 45_000, message: 'the resends stand for their originals' });
    const again = await gateway(['resend', '--status', 'failed', '--channel', 'email', '--event', eventId, '--poll-ms', '100'], env);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 notification(s) match');
  }, 150_000);
});
