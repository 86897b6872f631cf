// The infra workspace: a real Kafka and Redis for tests and local runs, with or without Docker.
export { freePort, freePorts } from './ports';
export {
  startLocalKafka,
  waitForKafka,
  pinnedKafkaVersion,
  randomClusterId,
  previousPorts,
  type LocalKafka,
  type LocalKafkaOptions,
  type WaitForKafkaOptions,
} from './kafka-local';
export {
  startLocalRedis,
  waitForRedis,
  redisCommand,
  type LocalRedis,
  type LocalRedisOptions,
  type RespValue,
  type WaitForRedisOptions,
} from './redis-local';
export {
  provideKafka,
  provideRedis,
  dockerAvailable,
  type Env,
  type InfraKind,
  type ProvidedKafka,
  type ProvidedRedis,
  type ProvideOptions,
  type ProvideKafkaOptions,
  type ProvideRedisOptions,
} from './provide';
export { guardChild, type ChildGuard, type GuardOptions } from './reaper';
export { cpuSecondsOf, cpuSecondsOfTree } from './proc';
