import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { freePorts } from '../ports';
import { guardChild, removeDir, type ChildGuard } from '../reaper';
import { runCommand, tail } from './command';
import { ensureKafkaLibs, KAFKA_HOME, kafkaVersionOf } from './jars';
import { waitForKafka } from './readiness';

/**
 * A real single-node Apache Kafka (KRaft: broker + controller in one JVM) run from the jars that
 * infra/kafka/pom.xml fetches from Maven Central. No Docker needed; Java 17+ and Maven are.
 */

const LOG4J_CONFIG = path.join(KAFKA_HOME, 'log4j2.xml');
const LOG_TAIL_LINES = 80;

export interface LocalKafkaOptions {
  /**
   * Root dir: server.properties, data/ (log.dirs) and broker.log. A dir that already holds a formatted
   * broker is reused as is (not reformatted). Default: a fresh os.tmpdir()/gateway-kafka-* dir.
   */
  dataDir?: string;
  port?: number;
  controllerPort?: number;
  heapMb?: number;
  /** Every line the broker and the storage tool print, plus our own notes (those start with "[infra]"). */
  logger?: (line: string) => void;
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
  libsDir?: string;
  /** Extra JVM flags, after the defaults (e.g. '-XX:+HeapDumpOnOutOfMemoryError'). */
  jvmOptions?: string[];
  /** Overrides or additions to server.properties. */
  properties?: Record<string, string | number | boolean>;
}

export interface LocalKafka {
  readonly brokers: string[];
  readonly port: number;
  readonly controllerPort: number;
  readonly dataDir: string;
  /** pid of the broker JVM (changes after start()). */
  readonly pid: number;
  /** Kafka version of the jars in use. */
  readonly version: string;
  /** Milliseconds from spawning the JVM (format included) to ready, for the last start. */
  readonly startupMs: number;
  /** Full broker output of this handle (all runs). */
  readonly logFile: string;
  /**
   * SIGTERM, wait, SIGKILL after stopTimeoutMs. Keeps the data dir so start() can bring the same broker
   * back; remove() deletes it (and so does the watchdog for a temp dir if this process dies).
   * Idempotent: a second call returns the same promise.
   */
  stop(): Promise<void>;
  /** Starts again on the same ports and data dir, without reformatting. No-op while running. */
  start(): Promise<void>;
  /** stop() and delete the data dir. */
  remove(): Promise<void>;
  /** Resolves with the reason ("exit code 1", "signal SIGKILL") when the current JVM exits, for whatever cause. */
  waitForExit(): Promise<string>;
}

/** A KRaft cluster id: 16 random bytes, base64url (22 chars); Kafka rejects ids that start with '-'. */
export function randomClusterId(): string {
  for (;;) {
    const id = crypto.randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** The ports a kept data dir's broker listened on last time (from the server.properties it wrote); also how tools find `npm start`'s broker. */
export function previousPorts(dataDir: string): { port: number; controllerPort: number } | undefined {
  try {
    const props = fs.readFileSync(path.join(dataDir, 'server.properties'), 'utf8');
    const port = Number(/^listeners=PLAINTEXT:\/\/[^:]+:(\d+)/m.exec(props)?.[1]);
    const controllerPort = Number(/CONTROLLER:\/\/[^:]+:(\d+)/m.exec(props)?.[1]);
    return port > 0 && controllerPort > 0 && port !== controllerPort ? { port, controllerPort } : undefined;
  } catch {
    return undefined;
  }
}

/** The cluster.id that format wrote into meta.properties. */
function readClusterId(logDir: string): string | undefined {
  try {
    return /^cluster\.id=(.+)$/m.exec(fs.readFileSync(path.join(logDir, 'meta.properties'), 'utf8'))?.[1]?.trim();
  } catch {
    return undefined;
  }
}

function serverProperties(port: number, controllerPort: number, logDir: string, extra: LocalKafkaOptions['properties']): string {
  const props: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    // Static voter set: with it, format must NOT get --standalone (4.1+ refuses both).
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'inter.broker.listener.name': 'PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': logDir,
    // Code must create its topics; a typo must not silently create one.
    'auto.create.topics.enable': false,
    // One node: every internal topic with one replica and one partition (defaults are 3 and 50:
    // 50 partitions of __transaction_state or the share-group state take seconds to create).
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    'share.coordinator.state.topic.num.partitions': 1,
    // Consumers join at once instead of after 3 s; tests may use short session timeouts.
    'group.initial.rebalance.delay.ms': 0,
    'group.min.session.timeout.ms': 1_000,
    // 2 cores: few threads. The cleaner's default 128 MB dedupe buffer would eat a quarter of the heap.
    'num.network.threads': 2,
    'num.io.threads': 2,
    'background.threads': 2,
    'num.recovery.threads.per.data.dir': 1,
    'log.cleaner.threads': 1,
    'log.cleaner.dedupe.buffer.size': 8 * 1024 * 1024,
    ...extra,
  };
  return `${Object.entries(props)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join('\n')}\n`;
}

class LocalKafkaBroker implements LocalKafka {
  readonly brokers: string[];
  readonly logFile: string;
  readonly version: string;
  startupMs = 0;

  private readonly propsFile: string;
  private readonly logDir: string;
  private readonly logTail: string[] = [];
  private child: ChildProcess | undefined;
  private guard: ChildGuard | undefined;
  private exited: Promise<void> = Promise.resolve();
  private exitReason: string | undefined;
  private stopping: Promise<void> | undefined;
  private starting: Promise<void> | undefined;
  /** Incremented by each start(); see start(). */
  private run = 0;
  /** The run the current `stopping` belongs to. */
  private stopRun = -1;
  private removed = false;

  constructor(
    readonly port: number,
    readonly controllerPort: number,
    readonly dataDir: string,
    private readonly ownsDataDir: boolean,
    private readonly libsDir: string,
    private readonly options: LocalKafkaOptions,
  ) {
    this.brokers = [`127.0.0.1:${port}`];
    this.propsFile = path.join(dataDir, 'server.properties');
    this.logDir = path.join(dataDir, 'data');
    this.logFile = path.join(dataDir, 'broker.log');
    this.version = kafkaVersionOf(libsDir);
  }

  get pid(): number {
    return this.child?.pid ?? -1;
  }

  private get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Each start() begins a new "run"; stop() belongs to the run it was called in. So a second stop() in
   * the same run returns the same promise, a stop() during a start aborts that start, and a start()
   * after a stop() really starts again (waiting for the stop to finish first).
   */
  start(): Promise<void> {
    if (this.removed) return Promise.reject(new Error(`Kafka at ${this.brokers[0]} was removed; start a new one`));
    const stopRequested = this.stopRun === this.run;
    if (this.starting && !stopRequested) return this.starting;
    if (this.running && !stopRequested) return Promise.resolve();
    const previous = this.starting;
    const run = ++this.run;
    const starting = (async () => {
      if (previous) await previous.catch(() => undefined);
      await this.doStart(run);
    })().finally(() => {
      if (this.starting === starting) this.starting = undefined;
    });
    this.starting = starting;
    return starting;
  }

  private async doStart(run: number): Promise<void> {
    const aborted = (): boolean => this.stopRun === run || this.removed;
    // The stop of an earlier run may still be in progress.
    if (this.stopping) await this.stopping;
    if (aborted()) throw new Error(`Kafka at ${this.brokers[0]} was stopped while starting`);
    const started = Date.now();
    fs.mkdirSync(this.logDir, { recursive: true });
    fs.writeFileSync(this.propsFile, serverProperties(this.port, this.controllerPort, this.logDir, this.options.properties));
    // Format only a fresh dir: formatting a formatted one fails, and restart must keep the data.
    if (!fs.existsSync(path.join(this.logDir, 'meta.properties'))) {
      const format = await runCommand(this.javaBin(), [...this.jvmArgs(256), 'kafka.tools.StorageTool', 'format', '-t', randomClusterId(), '-c', this.propsFile], {
        timeoutMs: 120_000,
        onLine: (line) => this.onLine(line),
      });
      if (format.code !== 0) throw new Error(`Kafka storage format failed (${format.code}):\n${tail(format.output, 30)}`);
    }
    if (aborted()) throw new Error(`Kafka at ${this.brokers[0]} was stopped while starting`);
    this.spawnBroker();
    try {
      await waitForKafka(this.brokers, {
        timeoutMs: this.options.startTimeoutMs ?? 120_000,
        abortReason: () => this.exitReason && `Kafka exited before it was ready (${this.exitReason})`,
        expectClusterId: readClusterId(this.logDir),
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await this.stop();
      throw new Error(`${message}\nLast broker log lines (${this.logFile}):\n${this.logTail.join('\n')}`);
    }
    this.startupMs = Date.now() - started;
  }

  stop(): Promise<void> {
    if (!this.stopping || this.stopRun !== this.run) {
      const previous = this.stopping;
      this.stopRun = this.run;
      this.stopping = (async () => {
        if (previous) await previous;
        await this.doStop();
      })();
    }
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    const child = this.child;
    if (child && this.running) {
      // SIGTERM lets Kafka shut down cleanly (flush, close the metadata log), so a restart recovers fast.
      child.kill('SIGTERM');
      const timeoutMs = this.options.stopTimeoutMs ?? 20_000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        this.exited.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        this.onLine(`[infra] Kafka did not stop within ${timeoutMs} ms: SIGKILL`);
        child.kill('SIGKILL');
      }
    }
    await this.exited;
    this.guard?.release();
  }

  async waitForExit(): Promise<string> {
    await this.exited;
    return this.exitReason ?? 'not running';
  }

  async remove(): Promise<void> {
    this.removed = true;
    if (this.starting) await this.starting.catch(() => undefined);
    await this.stop();
    await removeDir(this.dataDir);
  }

  private javaBin(): string {
    return process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  }

  private jvmArgs(heapMb: number): string[] {
    return [
      `-Xmx${heapMb}m`,
      `-Xms${Math.min(heapMb, 128)}m`,
      // 2 cores: the serial collector needs no GC threads, and ends a JVM faster than G1.
      '-XX:+UseSerialGC',
      // C1 only: a faster start and far less compile CPU (docs/benchmarks.md, "Test infrastructure");
      // a test broker never needs C2's peak speed.
      '-XX:TieredStopAtLevel=1',
      '-XX:+ExitOnOutOfMemoryError',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${LOG4J_CONFIG}`,
      ...(this.options.jvmOptions ?? []),
      '-cp',
      // The JVM expands this wildcard itself (no shell involved).
      `${this.libsDir}${path.sep}*`,
    ];
  }

  private spawnBroker(): void {
    this.exitReason = undefined;
    const child = spawn(this.javaBin(), [...this.jvmArgs(this.options.heapMb ?? 512), 'kafka.Kafka', this.propsFile], {
      cwd: this.dataDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group: a terminal's Ctrl-C goes to Node only, which stops the broker in order
      // (or dies, and the watchdog stops it); otherwise the JVM would race our stop() on its own.
      detached: true,
    });
    this.child = child;
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitReason = signal ? `signal ${signal}` : `exit code ${code}`;
        resolve();
      });
      child.once('error', (err) => {
        // spawn failed (no java): there will be no 'exit'.
        this.exitReason = `could not run ${this.javaBin()}: ${err.message}`;
        resolve();
      });
    });
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => this.onLine(line));
    }
    if (child.pid !== undefined) {
      this.guard = guardChild(child, { removeOnOrphan: this.ownsDataDir ? [this.dataDir] : [], graceMs: this.options.stopTimeoutMs ?? 20_000 });
    }
  }

  private onLine(line: string): void {
    this.logTail.push(line);
    if (this.logTail.length > LOG_TAIL_LINES) this.logTail.shift();
    try {
      fs.appendFileSync(this.logFile, `${line}\n`);
    } catch {
      // the data dir may be gone (remove() racing the last lines)
    }
    this.options.logger?.(line);
  }
}

/**
 * Starts a fresh single-node Kafka on free loopback ports and resolves once it is ready (see waitForKafka).
 * Ports picked here can be taken by someone else before the JVM binds them: on "address in use" it
 * retries with new ports (not when the caller chose the ports).
 */
export async function startLocalKafka(options: LocalKafkaOptions = {}): Promise<LocalKafka> {
  const libsDir = await ensureKafkaLibs({ libsDir: options.libsDir, logger: options.logger });
  const portsGiven = options.port !== undefined || options.controllerPort !== undefined;
  // A kept broker comes back on the ports it had, so an address printed last time still works.
  const previous = !portsGiven && options.dataDir !== undefined ? previousPorts(options.dataDir) : undefined;
  const attempts = portsGiven ? 1 : previous ? 4 : 3;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const picked = attempt === 1 && previous ? [previous.port, previous.controllerPort] : await freePorts(3);
    const port = options.port ?? picked[0] ?? 0;
    const controllerPort = options.controllerPort ?? picked.find((p) => p !== port) ?? 0;
    if (!port || !controllerPort || port === controllerPort) throw new Error(`Kafka needs two distinct ports (got ${port} and ${controllerPort})`);
    const ownsDataDir = options.dataDir === undefined;
    const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-kafka-'));
    fs.mkdirSync(dataDir, { recursive: true });
    const broker = new LocalKafkaBroker(port, controllerPort, path.resolve(dataDir), ownsDataDir, libsDir, options);
    try {
      await broker.start();
      return broker;
    } catch (err) {
      lastError = err;
      if (ownsDataDir) await removeDir(dataDir);
      const portClash = err instanceof Error && /Address already in use|BindException/.test(err.message);
      if (!portClash) break;
    }
  }
  throw lastError;
}
