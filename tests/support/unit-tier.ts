/**
 * Runs before every test file of the unit tier (jest.unit.config.js). That tier starts no Kafka and no
 * Redis, so a test that needs either fails at once and says what to do, instead of hanging on a
 * connection or quietly using whatever a developer's shell points at. The shared ones are found only
 * through KAFKA_BROKERS / REDIS_URL (random ports), removed here; a test's own broker or redis-server
 * is refused where it would be started.
 */
import { NOT_IN_UNIT_TIER } from './infra';

process.env.GATEWAY_TEST_TIER = 'unit';
process.env.GATEWAY_TEST_INFRA = 'none';
delete process.env.KAFKA_BROKERS;
delete process.env.REDIS_URL;

jest.mock('../../infra/src/redis-local', () => ({
  ...jest.requireActual<object>('../../infra/src/redis-local'),
  startLocalRedis: async () => {
    throw new Error(`startLocalRedis: ${NOT_IN_UNIT_TIER}`);
  },
}));
jest.mock('../../infra/src/kafka-local', () => ({
  ...jest.requireActual<object>('../../infra/src/kafka-local'),
  startLocalKafka: async () => {
    throw new Error(`startLocalKafka: ${NOT_IN_UNIT_TIER}`);
  },
}));
