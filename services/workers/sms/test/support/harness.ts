import { withPrefix, type Topics } from '@gateway/contracts';
import { createLogger } from '@gateway/common';
import { uniqueName } from '@gateway/tests/support/infra';
import { createTestTopics, workerTestEnv } from '@gateway/worker-core/test/support/kafka';
import { loadSmsWorkerSettings } from '../../src/settings';
import { startSmsWorker, type RunningSmsWorker } from '../../src/main';

export interface SmsTestBed {
  prefix: string;
  topics: Topics;
  /** Env for a worker replica of this test: shared infra, this test's topics, group and Redis prefix. */
  env(extra?: Record<string, string>): Record<string, string>;
  start(extra?: Record<string, string>): Promise<RunningSmsWorker>;
  /** Stops every replica this test bed started. */
  stopAll(): Promise<void>;
}

/** Unique topics (created with `partitions`), group and Redis prefix for one test. */
export async function smsTestBed(name: string, partitions = 3): Promise<SmsTestBed> {
  const prefix = uniqueName(name);
  const topics = withPrefix(prefix);
  await createTestTopics([topics.sms, topics.retry.sms, topics.status, topics.deadLetter], partitions);
  const running: RunningSmsWorker[] = [];
  const env = (extra: Record<string, string> = {}): Record<string, string> => workerTestEnv(prefix, {
    SMS_WORKER_GROUP_ID: `${prefix}-sms`,
    SMS_RETRY_BASE_MS: '50',
    SMS_RETRY_CAP_MS: '1000',
    // Generous: a loaded 2-core machine can stall a process for seconds; a send that outlives
    // SEND_TIMEOUT_MS has an unknown outcome and is retried only after the lease.
    SEND_TIMEOUT_MS: '20000',
    CLAIM_LEASE_MS: '30000',
    RATE_LIMIT_MAX_WAIT_MS: '3000',
    RETRY_MOVER_POLL_MS: '250',
    SMS_HTTP_PORT: '0',
    SHUTDOWN_TIMEOUT_MS: '10000',
    ...extra,
  });
  return {
    prefix,
    topics,
    env,
    async start(extra = {}) {
      const settings = loadSmsWorkerSettings(env(extra));
      const level = process.env.TEST_LOG_LEVEL ?? 'silent';
      const worker = await startSmsWorker(settings, { logger: createLogger({ name: `sms-test-${running.length}`, level }) });
      running.push(worker);
      return worker;
    },
    async stopAll() {
      await Promise.allSettled(running.map((w) => w.stop()));
    },
  };
}

export const ESMS_CREDENTIALS = { apiKey: 'esms-test-api-key', secretKey: 'esms-test-secret-key' };

export function esmsEnv(url: string): Record<string, string> {
  return { ESMS_API_KEY: ESMS_CREDENTIALS.apiKey, ESMS_SECRET_KEY: ESMS_CREDENTIALS.secretKey, ESMS_BRANDNAME: 'THANHUY-DN', ESMS_BASE_URL: url };
}

export function twilioEnv(url: string, account: { sid: string; token: string }, extra: Record<string, string> = {}): Record<string, string> {
  return {
    TWILIO_ACCOUNT_SID: account.sid,
    TWILIO_AUTH_TOKEN: account.token,
    TWILIO_FROM: '+15005550006',
    TWILIO_BASE_URL: url,
    TWILIO_STATUS_CALLBACK_URL: 'https://thongbao.example.gov.vn/v1/callbacks/twilio',
    ...extra,
  };
}
