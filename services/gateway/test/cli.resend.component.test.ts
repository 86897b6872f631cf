import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allTopics, loadExample, withPrefix } from '@gateway/contracts';
import { createLogger } from '@gateway/common';
import { createKey } from '@gateway/intake/src/cli/keys';
import { loadIntakeSettings, startIntake, type RunningIntake } from '@gateway/intake';
import { loadRendererSettings, startRenderer, type RunningRenderer } from '@gateway/renderer';
import { loadOperatorSettings, startOperator, type RunningOperator } from '@gateway/operator';
import { loadEmailWorkerSettings, startEmailWorker, type RunningEmailWorker } from '@gateway/worker-email/src/main';
import { startSmtpServer, type TestSmtpServer } from '../../workers/email/test/smtp-test-server';
import { createTopics, kafkaBrokers, redisUrl, uniqueName, waitFor } from '../../../tests/support/infra';
import { gateway } from './cli-support';

describe('admin CLI resend: emails a relay refused, resent by filter through the operator (real Kafka, Redis, SMTP)', () => {
  const prefix = uniqueName('cli-resend');
  const topics = withPrefix(prefix);
  const dir = mkdtempSync(join(tmpdir(), 'gateway-cli-resend-'));
  const keysFile = join(dir, 'keys.json');
  const key = createKey(keysFile, 'quan-tri', ['admin']);
  let smtp: TestSmtpServer;
  let intake: RunningIntake;
  let renderer: RunningRenderer;
  let operator: RunningOperator;
  let worker: RunningEmailWorker;

  beforeAll(async () => {
    await createTopics(kafkaBrokers(), allTopics(topics), 3);
    smtp = await startSmtpServer();
    const common = { KAFKA_BROKERS: kafkaBrokers().join(','), REDIS_URL: redisUrl(), REDIS_KEY_PREFIX: `${prefix}:`, GATEWAY_KEYS_FILE: keysFile, TOPIC_PREFIX: prefix, KAFKA_CREATE_TOPICS: 'false', LOG_LEVEL: 'silent' };
    const logger = (name: string) => ({ logger: createLogger({ name, level: 'silent' }) });
    renderer = await startRenderer(loadRendererSettings({ ...common, RENDERER_PORT: '0', RENDERER_GROUP_ID: `${prefix}-renderer` }), logger('renderer'));
    operator = await startOperator(loadOperatorSettings({ ...common, OPERATOR_PORT: '0', STATUS_GROUP_ID: `${prefix}-status` }), logger('operator'));
    worker = await startEmailWorker(loadEmailWorkerSettings({ ...common, EMAIL_WORKER_GROUP_ID: `${prefix}-email`, EMAIL_HTTP_PORT: '0', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), EMAIL_FROM: 'Văn phòng Thành ủy <thongbao@example.gov.vn>' }), logger('worker-email'));
    intake = await startIntake(loadIntakeSettings({ ...common, INTAKE_PORT: '0' }), logger('intake'));
  }, 90_000);

  afterAll(async () => {
    await Promise.allSettled([intake?.stop(), renderer?.stop(), operator?.stop(), worker?.stop()]);
    await smtp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when the email worker holds its partitions, then its health endpoints say so', async () => {
    expect((await fetch(`${worker.url}/healthz`)).status).toBe(200);
    await waitFor(async () => (await fetch(`${worker.url}/readyz`)).status === 200, { timeoutMs: 30_000, message: 'email worker ready' });
    expect(await (await fetch(`${worker.url}/readyz`)).json()).toEqual({ ready: true, consuming: true });
  });

  it('when two emails of an event failed permanently and the relay works again, then `resend --status failed --channel email --event` resends both and reports 2/2 done, and a second run finds nothing left to resend', async () => {
    // The relay refuses both recipients once (550: permanent, no retry), then accepts.
    smtp.answerRcpt({ code: 550, text: '5.1.1 mailbox unavailable' }, { code: 550, text: '5.1.1 mailbox unavailable' });
    const eventId = `${prefix}-evt`;
    const example = loadExample('meeting-scheduled-hoi-nghi-bch') as { data: Record<string, unknown> };
    const participants = [
      { id: 'nguyen-van-an', name: 'Nguyễn Văn An', email: 'nvan@example.gov.vn' },
      { id: 'le-thi-dung', name: 'Lê Thị Dung', email: 'ltdung@example.gov.vn' },
    ];
    const event = { ...example, id: eventId, data: { ...example.data, meetingId: `${eventId}-hop`, participants } };
    const sent = await fetch(`${intake.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(event) });
    expect(sent.status).toBe(202);
    const failedOf = async () => {
      const res = await fetch(`${operator.url}/v1/notifications?eventId=${eventId}&channel=email&status=failed`, { headers: { authorization: `Bearer ${key}` } });
      return ((await res.json()) as { total: number }).total;
    };
    await waitFor(async () => (await failedOf()) === 2, { timeoutMs: 45_000, message: 'both emails recorded as failed by the operator' });
    expect(smtp.accepted).toHaveLength(0);

    const env = { GATEWAY_KEY: key, GATEWAY_OPERATOR_URL: operator.url };
    const run = await gateway(['resend', '--status', 'failed', '--channel', 'email', '--event', eventId, '--poll-ms', '100'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/resend job \S+: 2 notification\(s\) match/);
    expect(run.stdout).toContain('done: 2/2 resent, 0 failed, 0 skipped');

    // The resent copies reach the relay, which now accepts them.
    await waitFor(() => smtp.accepted.length === 2, { timeoutMs: 45_000, message: 'both resent emails accepted by the relay' });
    expect(smtp.accepted.flatMap((m) => m.to).sort()).toEqual(['ltdung@example.gov.vn', 'nvan@example.gov.vn']);

    // Each original and its resend are one notification, the resend's: once the resends' first
    // statuses are projected, nothing failed is left, and the same command finds nothing to resend.
    await waitFor(async () => (await failedOf()) === 0, { timeoutMs: 45_000, message: 'the resends stand for their originals' });
    const again = await gateway(['resend', '--status', 'failed', '--channel', 'email', '--event', eventId, '--poll-ms', '100'], env);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 notification(s) match');
  }, 150_000);
});
