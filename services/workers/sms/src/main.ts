import express from 'express';
import type { Redis } from 'ioredis';
import { closeOnce, createLogger, healthRoutes, storeCheck, noRoute, type Logger, runMain, probe, listenHttp, type ListeningHttp, createRedisClient } from '@gateway/common';
import type { Bus } from '@gateway/bus';
import { createFailoverSender, rateLimited, RedisRateLimiter, startChannelWorker, workerKeys, type FailoverSender, type RateLimiter, type RunningChannelWorker, type WorkerStores } from '@gateway/worker-core';
import type { SmsMessage } from '@gateway/contracts';
import { loadSmsWorkerSettings, type SmsProviderSettings, type SmsWorkerSettings } from './settings';
import { EsmsSmsSender } from './adapters/esms';
import { TWILIO_PROVIDER, TwilioSmsSender, type SmsSender } from './adapters/twilio';
import { createTwilioCallbackRouter } from './entry-points/twilio-callbacks';

export interface RunningSmsWorker {
  /** Base URL of the HTTP endpoint (health, Twilio callbacks). */
  url: string;
  worker: RunningChannelWorker;
  sender: FailoverSender<SmsMessage>;
  stop: () => Promise<void>;
  /** Resolves when the channel consumer stopped for good (the process must be restarted). */
  failed: Promise<Error>;
}

function buildProvider(p: SmsProviderSettings, fetchImpl: typeof fetch | undefined): SmsSender {
  if (p.kind === 'twilio') {
    return new TwilioSmsSender({
      accountSid: p.accountSid,
      authToken: p.apiKey?.secret ?? p.authToken,
      apiKeySid: p.apiKey?.sid,
      from: p.from,
      messagingServiceSid: p.messagingServiceSid,
      statusCallbackUrl: p.statusCallbackUrl,
      baseUrl: p.baseUrl,
      timeoutMs: p.timeoutMs,
    });
  }
  return new EsmsSmsSender({ apiKey: p.apiKey, secretKey: p.secretKey, brandname: p.brandname, smsType: p.smsType, callbackUrl: p.callbackUrl, sandbox: p.sandbox, baseUrl: p.baseUrl, timeoutMs: p.timeoutMs, fetch: fetchImpl });
}

/**
 * Composition root of the SMS worker: providers in order behind circuit breakers (each under its
 * own rate limit, shared through Redis), the channel worker core, and the HTTP endpoint for health
 * and Twilio's status callbacks.
 */
/** The providers' rate limits on Redis, shared by every replica. */
function redisLimiter(settings: SmsWorkerSettings, logger: Logger): { redis: Redis; limiter: RateLimiter } {
  const redis = createRedisClient(settings.core.redis.url, logger, { maxRetriesPerRequest: 3 });
  return { redis, limiter: new RedisRateLimiter(redis, workerKeys(settings.core.redis.keyPrefix, 'sms').rate) };
}

export interface SmsWorkerDeps {
  logger?: Logger;
  fetch?: typeof fetch;
  /** A bus to use instead of connecting to KAFKA_BROKERS (the embedded mode's in-process one). */
  bus?: Bus;
  /** The channel worker's stores instead of Redis ones (embedded mode); the providers' limits use its limiter. Redis is then not connected. */
  stores?: WorkerStores;
}

export async function startSmsWorker(settings: SmsWorkerSettings, options: SmsWorkerDeps = {}): Promise<RunningSmsWorker> {
  const logger = options.logger ?? createLogger({ name: 'worker-sms', level: settings.core.logLevel });
  const { bus, stores } = options;
  const { redis, limiter } = stores ? { redis: undefined, limiter: stores.limiter } : redisLimiter(settings, logger);

  const providers = settings.sms.providers.map((p) => {
    const sender = buildProvider(p, options.fetch);
    return p.rate.perSecond > 0 ? rateLimited(sender, limiter, { ...p.rate, maxWaitMs: settings.core.rateLimitMaxWaitMs }, `sms:${sender.name}`) : sender;
  });
  const sender = createFailoverSender(providers, settings.sms.circuit);

  // Twilio reports delivery later through its status callbacks: keep a copy of each SMS it sent for
  // them (not of an eSMS failover's, which gets no report here).
  const twilio = settings.sms.providers.find((p) => p.kind === 'twilio');
  const callbacks = twilio?.kind === 'twilio' && twilio.statusCallbackUrl ? { authToken: twilio.authToken, publicUrl: twilio.statusCallbackUrl } : undefined;
  let worker: RunningChannelWorker;
  try {
    worker = await startChannelWorker({ channel: 'sms', sender, settings: settings.core, logger, redis, bus, stores, ...(callbacks ? { keepSentCopy: { ttlMs: settings.sms.sentCopyTtlMs, providers: [TWILIO_PROVIDER] } } : {}) });
  } catch (err) {
    redis?.disconnect();
    throw err;
  }

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  // The providers' circuits are shown but do not decide readiness.
  healthRoutes(app, async () => {
    const store = storeCheck(!redis, redis ? await probe(() => redis.ping(), 1000) : true);
    const consuming = worker.consuming();
    return { ready: store.ok && consuming, report: { store, consuming, circuits: sender.circuits() } };
  });
  if (callbacks) {
    const { ledger } = worker;
    app.use('/v1/callbacks/twilio', createTwilioCallbackRouter({ ...callbacks, topics: worker.topics, publish: (r) => worker.publish(r), onUndelivered: (id, report) => ledger.recordUndelivered(id, report), logger }));
  }
  app.use(noRoute());
  let http: ListeningHttp;
  try {
    http = await listenHttp(app, settings.sms.http.host, settings.sms.http.port);
  } catch (err) {
    await worker.stop();
    redis?.disconnect();
    throw err;
  }
  const { url } = http;
  logger.info({ url, providers: settings.sms.providers.map((p) => p.kind) }, 'sms worker started');

  const stop = closeOnce(
    [
      ['stop http', () => http.close()],
      ['stop channel worker', () => worker.stop()],
      ['close redis', () => redis?.quit().catch(() => redis.disconnect())],
    ],
    { timeoutMs: settings.core.shutdownTimeoutMs + 2000, onError: (step, err) => logger.error({ step, err: (err as Error).message }, 'shutdown step failed') },
  );
  return { url, worker, sender, stop, failed: worker.failed };
}

if (require.main === module) runMain('worker-sms', () => startSmsWorker(loadSmsWorkerSettings(process.env)));
