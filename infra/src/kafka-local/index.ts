// A real single-node Kafka for tests and local runs, split by its seams: jars.ts fetches and caches
// the jars, readiness.ts waits until a broker (ours or any other) can serve, broker.ts runs the JVM.
export { pinnedKafkaVersion } from './jars';
export { waitForKafka, type WaitForKafkaOptions } from './readiness';
export { previousPorts, randomClusterId, startLocalKafka, type LocalKafka, type LocalKafkaOptions } from './broker';
