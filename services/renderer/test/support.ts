import { kafkaBrokers, redisUrl } from '@gateway/tests/support/infra';

/** The settings a renderer test starts from: the test's broker and Redis, its own prefixes, its keys file, topics made by the test. */
export function rendererTestEnv(prefix: string, keysFile: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    RENDERER_PORT: '0',
    KAFKA_BROKERS: kafkaBrokers().join(','),
    REDIS_URL: redisUrl(),
    REDIS_KEY_PREFIX: `${prefix}:`,
    GATEWAY_KEYS_FILE: keysFile,
    TOPIC_PREFIX: prefix,
    KAFKA_CREATE_TOPICS: 'false',
    LOG_LEVEL: 'silent',
    ...extra,
  };
}
