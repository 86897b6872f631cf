import { connectedProducer } from '@gateway/worker-core/test/support/kafka';
import { smsTestBed, twilioEnv, type SmsTestBed } from '@gateway/worker-sms/test/support/harness';
import { startLoopbackTwilio, twilioAccount, type LoopbackTwilio } from '@gateway/worker-sms/test/support/loopback-providers';
import { removeKeys, writeKeys, type TestKeys } from './support';

/** A real SMS worker sending to a loopback Twilio that answers as told, a producer, and the operator's keys. */
export interface SmsPipeline {
  bed: SmsTestBed;
  twilio: LoopbackTwilio;
  producer: Awaited<ReturnType<typeof connectedProducer>>;
  keys: TestKeys;
  /** Stops the SMS worker (messages wait on the topic) and starts a new one, for tests that need resends to stay on their way. */
  stopWorker(): Promise<void>;
  startWorker(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSmsPipeline(name: string, answer: LoopbackTwilio['answer']): Promise<SmsPipeline> {
  const bed = await smsTestBed(name, 3);
  const account = twilioAccount();
  const twilio = await startLoopbackTwilio([account]);
  twilio.answer = answer;
  const workerEnv = { SMS_PROVIDERS: 'twilio', ...twilioEnv(twilio.url, account), WORKER_CONCURRENCY: '64' };
  await bed.start(workerEnv);
  const producer = await connectedProducer();
  const keys = writeKeys();
  return {
    bed,
    twilio,
    producer,
    keys,
    async stopWorker() {
      await bed.stopAll();
    },
    async startWorker() {
      await bed.start(workerEnv);
    },
    async stop() {
      await producer.disconnect();
      await bed.stopAll();
      await twilio.close();
      removeKeys(keys);
    },
  };
}
