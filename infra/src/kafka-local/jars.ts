import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { removeDir } from '../reaper';
import { runCommand, sleep, tail } from './command';

// Jar provisioning: the broker's jars, fetched from Maven Central once per pom.xml and cached.

/** infra/kafka: pom.xml (the pinned Kafka version), log4j2.xml, and libs/ once fetched. */
export const KAFKA_HOME = path.resolve(__dirname, '..', '..', 'kafka');
const POM_FILE = path.join(KAFKA_HOME, 'pom.xml');
const DEFAULT_LIBS_DIR = path.join(KAFKA_HOME, 'libs');
/** Written last into the libs dir; holds a hash of pom.xml so that changing the version re-fetches. */
const LIBS_MARKER = '.complete';

export interface KafkaLibsOptions {
  libsDir?: string;
  pomFile?: string;
  logger?: (line: string) => void;
  /** For a first run that downloads ~45 MB of jars. */
  timeoutMs?: number;
}

const libsInFlight = new Map<string, Promise<string>>();

function fileHash(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function libsComplete(libsDir: string, fingerprint: string): boolean {
  try {
    return fs.readFileSync(path.join(libsDir, LIBS_MARKER), 'utf8').trim() === fingerprint;
  } catch {
    return false;
  }
}

/**
 * Fetches the broker's jars into infra/kafka/libs once (a marker file records success for this pom.xml).
 * Safe when several processes call it at once: a lock dir lets one run Maven (concurrent Maven runs
 * can corrupt a shared ~/.m2 while downloading) while the others wait, and the jars are filled into a
 * temp dir and renamed into place, so a crash never leaves a libs dir that looks complete.
 */
export function ensureKafkaLibs(options: KafkaLibsOptions = {}): Promise<string> {
  const libsDir = path.resolve(options.libsDir ?? DEFAULT_LIBS_DIR);
  const pomFile = path.resolve(options.pomFile ?? POM_FILE);
  const fingerprint = fileHash(pomFile);
  if (libsComplete(libsDir, fingerprint)) return Promise.resolve(libsDir);

  let pending = libsInFlight.get(libsDir);
  if (!pending) {
    pending = withDirLock(`${libsDir}.lock`, options.timeoutMs ?? 600_000, async () =>
      libsComplete(libsDir, fingerprint) ? libsDir : fetchKafkaLibs(libsDir, pomFile, fingerprint, options),
    ).finally(() => libsInFlight.delete(libsDir));
    libsInFlight.set(libsDir, pending);
  }
  return pending;
}

/**
 * A cross-process lock: mkdir is atomic. The holder's pid is written inside, so a lock left by a
 * dead process is taken over at once; one without a pid file (crash right after mkdir) after a minute.
 */
async function withDirLock<T>(lockDir: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let stale = false;
    try {
      const holder = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8'));
      stale = holder > 0 && !processAlive(holder);
    } catch {
      try {
        stale = Date.now() - fs.statSync(lockDir).mtimeMs > 60_000;
      } catch {
        // released meanwhile: try again
      }
    }
    if (stale) {
      fs.rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${lockDir} (remove it if no other process is fetching Kafka jars)`);
    await sleep(500);
  }
  try {
    fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function fetchKafkaLibs(libsDir: string, pomFile: string, fingerprint: string, options: KafkaLibsOptions): Promise<string> {
  const suffix = `${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  const tmpDir = `${libsDir}.tmp-${suffix}`;
  const started = Date.now();
  options.logger?.(`[infra] Fetching the Kafka jars with Maven into ${libsDir} (once) ...`);
  try {
    const args = ['-q', '-B', '-f', pomFile, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${tmpDir}`];
    const result = await runCommand('mvn', args, { cwd: path.dirname(pomFile), timeoutMs: options.timeoutMs ?? 600_000 });
    if (result.code !== 0) {
      throw new Error(`mvn ${args.join(' ')} failed (${result.code}):\n${tail(result.output, 40)}`);
    }
    if (!fs.readdirSync(tmpDir).some((name) => /^kafka_2\.13-.*\.jar$/.test(name))) {
      throw new Error(`Maven finished but ${tmpDir} holds no kafka_2.13 jar`);
    }
    fs.writeFileSync(path.join(tmpDir, LIBS_MARKER), `${fingerprint}\n`);
    installDir(tmpDir, libsDir, fingerprint, suffix);
    options.logger?.(`[infra] Kafka jars fetched in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return libsDir;
  } finally {
    await removeDir(tmpDir);
  }
}

/** Moves a complete temp dir into place, replacing a stale or partial one, tolerating a concurrent winner. */
function installDir(tmpDir: string, libsDir: string, fingerprint: string, suffix: string): void {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      fs.renameSync(tmpDir, libsDir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EPERM') throw err;
      if (libsComplete(libsDir, fingerprint)) return; // another process won the race
      // A stale (other pom) or partial dir is in the way: move it aside, then retry.
      const old = `${libsDir}.old-${suffix}-${attempt}`;
      try {
        fs.renameSync(libsDir, old);
        fs.rmSync(old, { recursive: true, force: true });
      } catch {
        // someone else moved it first
      }
    }
  }
  if (!libsComplete(libsDir, fingerprint)) throw new Error(`Could not install Kafka jars into ${libsDir}`);
}

/** The Kafka version of the jars in libsDir (from the kafka_2.13-X.jar name). */
export function kafkaVersionOf(libsDir: string = DEFAULT_LIBS_DIR): string {
  for (const name of fs.readdirSync(libsDir)) {
    const match = /^kafka_2\.13-(.+)\.jar$/.exec(name);
    if (match?.[1]) return match[1];
  }
  throw new Error(`No kafka_2.13 jar in ${libsDir}`);
}

/** The Kafka version pinned in infra/kafka/pom.xml (also used for the apache/kafka image tag). */
export function pinnedKafkaVersion(pomFile: string = POM_FILE): string {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(fs.readFileSync(pomFile, 'utf8'));
  if (!match?.[1]) throw new Error(`No <kafka.version> in ${pomFile}`);
  return match[1].trim();
}
