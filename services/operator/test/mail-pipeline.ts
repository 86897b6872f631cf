import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allTopics, withPrefix, type Topics } from '@gateway/contracts';
import { createKey, createLogger } from '@gateway/common';
import { loadIntakeSettings, startIntake, type RunningIntake } from '@gateway/intake';
import { loadRendererSettings, startRenderer, type RunningRenderer } from '@gateway/renderer';
import { loadEmailWorkerSettings, startEmailWorker, type RunningEmailWorker } from '@gateway/worker-email';
import { startSmtpServer, type TestSmtpServer } from '@gateway/worker-email/test/smtp-test-server';
import { createTopics, kafkaBrokers, redisUrl, uniqueName } from '@gateway/tests/support/infra';
import { loadOperatorSettings } from '../src/settings';
import { startOperator, type RunningOperator } from '../src/main';

/** Intake, renderer, operator and the email worker on their own topics and prefix, sending to a real SMTP server. */
export interface MailPipeline {
  prefix: string;
  topics: Topics;
  /** An admin key every service accepts. */
  key: string;
  smtp: TestSmtpServer;
  intake: RunningIntake;
  renderer: RunningRenderer;
  operator: RunningOperator;
  worker: RunningEmailWorker;
  stop(): Promise<void>;
}

export async function startMailPipeline(name: string): Promise<MailPipeline> {
  const prefix = uniqueName(name);
  const topics = withPrefix(prefix);
  const dir = mkdtempSync(join(tmpdir(), `gateway-${name}-`));
  const keysFile = join(dir, 'keys.json');
  const key = createKey(keysFile, 'quan-tri', ['admin']);
  await createTopics(kafkaBrokers(), allTopics(topics), 3);
  const smtp = await startSmtpServer();
  const common = { KAFKA_BROKERS: kafkaBrokers().join(','), REDIS_URL: redisUrl(), REDIS_KEY_PREFIX: `${prefix}:`, GATEWAY_KEYS_FILE: keysFile, TOPIC_PREFIX: prefix, KAFKA_CREATE_TOPICS: 'false', LOG_LEVEL: 'silent' };
  const logger = (service: string) => ({ logger: createLogger({ name: service, level: 'silent' }) });
  const renderer = await startRenderer(loadRendererSettings({ ...common, RENDERER_PORT: '0', RENDERER_GROUP_ID: `${prefix}-renderer` }), logger('renderer'));
  const operator = await startOperator(loadOperatorSettings({ ...common, OPERATOR_PORT: '0', STATUS_GROUP_ID: `${prefix}-status` }), logger('operator'));
  const worker = await startEmailWorker(loadEmailWorkerSettings({ ...common, EMAIL_WORKER_GROUP_ID: `${prefix}-email`, EMAIL_HTTP_PORT: '0', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), EMAIL_FROM: 'Văn phòng Thành ủy <thongbao@example.gov.vn>' }), logger('worker-email'));
  const intake = await startIntake(loadIntakeSettings({ ...common, INTAKE_PORT: '0' }), logger('intake'));
  return {
    prefix,
    topics,
    key,
    smtp,
    intake,
    renderer,
    operator,
    worker,
    async stop() {
      await Promise.allSettled([intake.stop(), renderer.stop(), operator.stop(), worker.stop()]);
      await smtp.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
