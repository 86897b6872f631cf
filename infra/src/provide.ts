import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { pinnedKafkaVersion, randomClusterId, startLocalKafka, waitForKafka, type LocalKafkaOptions } from './kafka-local';
import { freePort } from './ports';
import { startLocalRedis, waitForRedis, type LocalRedisOptions } from './redis-local';

/**
 * One way for tests and dev tooling to get a Kafka and a Redis, whatever the machine has:
 *   1. KAFKA_BROKERS / REDIS_URL set: use them (someone else runs them; stop() does nothing);
 *   2. a Docker engine answers: testcontainers (apache/kafka in KRaft mode, redis:7);
 *   3. otherwise (or when the containers fail to start): local processes (kafka-local, redis-local).
 * GATEWAY_TEST_INFRA=local skips step 2, and so does a kept local dir (`local.dataDir`, `local.dir`):
 * whoever asks for data that outlives a restart (npm start) gets a local process writing there.
 */

export type InfraKind = 'external' | 'testcontainers' | 'local';

export interface ProvidedKafka {
  kind: InfraKind;
  brokers: string[];
  /** Human-readable, for one log line: version, where, pid or container id. */
  description: string;
  stop(): Promise<void>;
  /** A local broker: resolves with how it ended (exit code or signal), for diagnosing a broker that died. */
  exited?: Promise<string>;
  /** A local broker's JVM (e.g. for a benchmark's CPU accounting). */
  pid?: number;
}

export interface ProvidedRedis {
  kind: InfraKind;
  url: string;
  description: string;
  stop(): Promise<void>;
  /** A local redis-server's pid. */
  pid?: number;
}

export type Env = Record<string, string | undefined>;

export interface ProvideOptions {
  /** Where the one-line notices go (e.g. "Docker answers but the container failed"). Default: console.warn. */
  log?: (line: string) => void;
  /** How long the Docker probe may take. */
  dockerProbeTimeoutMs?: number;
}

export interface ProvideKafkaOptions extends ProvideOptions {
  local?: LocalKafkaOptions;
}

export interface ProvideRedisOptions extends ProvideOptions {
  local?: LocalRedisOptions;
}

const noop = async (): Promise<void> => {};

// ---------------------------------------------------------------------------------------------------
// Docker detection: fast and silent when there is no engine (no testcontainers import, no retries).

function pingDockerSocket(socketPath: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ socketPath, path: '/_ping', timeout: timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(response.statusCode === 200 && body.trim() === 'OK'));
      response.on('error', () => resolve(false));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

function tcpAnswers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Whether a Docker engine answers: DOCKER_HOST if set (unix:// pinged, tcp:// connected to), else the
 * usual socket paths (system, rootless, Docker Desktop). Under `timeoutMs` per probe, no output.
 */
export async function dockerAvailable(env: Env, timeoutMs = 1_500): Promise<boolean> {
  const dockerHost = env.DOCKER_HOST?.trim();
  if (dockerHost) {
    if (dockerHost.startsWith('unix://')) return pingDockerSocket(dockerHost.slice('unix://'.length), timeoutMs);
    if (dockerHost.startsWith('tcp://')) {
      const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
      // With TLS a plain-HTTP ping would fail; that the port answers is enough to let testcontainers try.
      return tcpAnswers(url.hostname, Number(url.port || 2375), timeoutMs);
    }
    return false;
  }
  const candidates = [
    '/var/run/docker.sock',
    env.XDG_RUNTIME_DIR ? path.join(env.XDG_RUNTIME_DIR, 'docker.sock') : undefined,
    path.join(os.homedir(), '.docker', 'run', 'docker.sock'),
    path.join(os.homedir(), '.docker', 'desktop', 'docker.sock'),
  ];
  for (const socketPath of candidates) {
    if (socketPath && fs.existsSync(socketPath) && (await pingDockerSocket(socketPath, timeoutMs))) return true;
  }
  return false;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

// ---------------------------------------------------------------------------------------------------
// Containers (testcontainers v11: only GenericContainer in the core package; its KafkaContainer lives in
// @testcontainers/kafka, which we do not need). Imported lazily: it is heavy and unused without Docker.

async function startKafkaContainer(): Promise<ProvidedKafka> {
  const { GenericContainer, Wait, getContainerRuntimeClient } = await import('testcontainers');
  const host = (await getContainerRuntimeClient()).info.containerRuntime.host;
  // The same port number inside and outside: the advertised address host:port then works both for
  // clients on the host and for the broker itself (inter-broker listener), with no second listener.
  const port = await freePort();
  const image = `apache/kafka:${pinnedKafkaVersion()}`;
  const container = await new GenericContainer(image)
    .withExposedPorts({ container: port, host: port })
    // The image turns every KAFKA_X_Y variable into an x.y property (see its configure script);
    // older images also insist on CLUSTER_ID once KAFKA_PROCESS_ROLES is set.
    .withEnvironment({
      CLUSTER_ID: randomClusterId(),
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${port},CONTROLLER://localhost:9093`,
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${host}:${port}`,
      KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_GROUP_MIN_SESSION_TIMEOUT_MS: '1000',
      KAFKA_HEAP_OPTS: '-Xmx512m -Xms128m',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .withStartupTimeout(180_000)
    .start();
  const brokers = [`${host}:${port}`];
  try {
    await waitForKafka(brokers, { timeoutMs: 60_000 });
  } catch (err) {
    await container.stop().catch(() => undefined);
    throw err;
  }
  let stopping: Promise<void> | undefined;
  return {
    kind: 'testcontainers',
    brokers,
    description: `${image}, container ${container.getId().slice(0, 12)}`,
    stop: () => (stopping ??= container.stop().then(() => undefined)),
  };
}

async function startRedisContainer(): Promise<ProvidedRedis> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer('redis:7')
    .withExposedPorts(6379)
    .withCommand(['redis-server', '--save', '', '--appendonly', 'no'])
    .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
    .withStartupTimeout(120_000)
    .start();
  const url = `redis://${container.getHost()}:${container.getMappedPort(6379)}`;
  try {
    await waitForRedis(url, { timeoutMs: 20_000 });
  } catch (err) {
    await container.stop().catch(() => undefined);
    throw err;
  }
  let stopping: Promise<void> | undefined;
  return {
    kind: 'testcontainers',
    url,
    description: `redis:7, container ${container.getId().slice(0, 12)}`,
    stop: () => (stopping ??= container.stop().then(() => undefined)),
  };
}

// ---------------------------------------------------------------------------------------------------

export async function provideKafka(env: Env, options: ProvideKafkaOptions = {}): Promise<ProvidedKafka> {
  const log = options.log ?? ((line: string) => console.warn(line));
  const external = (env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
  if (external.length > 0) return { kind: 'external', brokers: external, description: `KAFKA_BROKERS=${external.join(',')}`, stop: noop };

  // A kept data dir asks for a broker whose data outlives it: a container's would not.
  const kept = options.local?.dataDir !== undefined;
  if (!kept && env.GATEWAY_TEST_INFRA !== 'local' && (await dockerAvailable(env, options.dockerProbeTimeoutMs))) {
    try {
      return await startKafkaContainer();
    } catch (err) {
      log(`[infra] Docker answers but the Kafka container did not start (${firstLine(err)}); using a local broker instead.`);
    }
  }

  const kafka = await startLocalKafka(options.local);
  return {
    kind: 'local',
    brokers: kafka.brokers,
    description: `Kafka ${kafka.version} at ${kafka.brokers.join(',')}, pid ${kafka.pid}, data ${kafka.dataDir}${kept ? ' (kept across restarts)' : ' (deleted on stop)'}`,
    // A test run's broker is throwaway (stopping it deletes its data); a given data dir is kept.
    stop: () => (kept ? kafka.stop() : kafka.remove()),
    exited: kafka.waitForExit(),
    get pid() {
      return kafka.pid;
    },
  };
}

export async function provideRedis(env: Env, options: ProvideRedisOptions = {}): Promise<ProvidedRedis> {
  const log = options.log ?? ((line: string) => console.warn(line));
  const external = env.REDIS_URL?.trim();
  // Not the URL itself: it may carry a password, and this line is printed.
  if (external) return { kind: 'external', url: external, description: 'the Redis of REDIS_URL', stop: noop };

  const kept = options.local?.dir !== undefined;
  if (!kept && env.GATEWAY_TEST_INFRA !== 'local' && (await dockerAvailable(env, options.dockerProbeTimeoutMs))) {
    try {
      return await startRedisContainer();
    } catch (err) {
      log(`[infra] Docker answers but the Redis container did not start (${firstLine(err)}); using a local redis-server instead.`);
    }
  }

  const redis = await startLocalRedis(options.local);
  const persistence = kept ? `, data ${redis.dir}${options.local?.appendonly ? ' (append-only file, kept across restarts)' : ' (kept dir, no append-only file)'}` : ' (in memory only)';
  return { kind: 'local', url: redis.url, description: `redis-server at ${redis.url}, pid ${redis.pid}${persistence}`, stop: () => redis.stop(), pid: redis.pid };
}
