import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { freePort } from './ports';
import { guardChild, removeDir } from './reaper';

/** A redis-server on a free loopback port: throwaway for tests, or kept in a given dir with AOF for `npm start`. */

export interface LocalRedisOptions {
  port?: number;
  /** AOF persistence; off by default (and RDB snapshots are always off: --save ''). */
  appendonly?: boolean;
  /** Working dir (AOF files). Default: a temp dir, removed on stop(). A given dir is kept. */
  dir?: string;
  /** The redis-server binary. */
  bin?: string;
  logger?: (line: string) => void;
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
  /** Runs a Sentinel (redis-server --sentinel) watching this master instead of a Redis server. */
  sentinelOf?: { masterPort: number; masterName: string };
}

export interface LocalRedis {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Its working dir (the append-only files live here when `appendonly` is on). */
  readonly dir: string;
  /** SIGTERM (redis fsyncs its append-only file if it has one, and exits), SIGKILL after a timeout. Idempotent. */
  stop(): Promise<void>;
  /** Resolves with the reason when redis-server exits, for whatever cause. */
  waitForExit(): Promise<string>;
}

export type RespValue = string | number | null | RespValue[];

/** A Redis error reply (e.g. "ERR unknown command"). */
class RedisReplyError extends Error {}

/**
 * Sends one command over a fresh connection and returns the reply. Enough for readiness checks and
 * tests that must not depend on a Redis client library; the services use their own client.
 */
export function redisCommand(url: string, args: string[], timeoutMs = 2_000): Promise<RespValue> {
  const { hostname, port, password, username } = parseRedisUrl(url);
  const commands = password ? [username ? ['AUTH', username, password] : ['AUTH', password], args] : [args];
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port });
    let buffer = Buffer.alloc(0);
    const replies: RespValue[] = [];
    const finish = (err: Error | undefined, value?: RespValue): void => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(value ?? null);
    };
    const timer = setTimeout(() => finish(new Error(`Redis at ${hostname}:${port} did not answer within ${timeoutMs} ms`)), timeoutMs);
    socket.once('error', (err) => finish(err));
    socket.on('connect', () => socket.write(commands.map(encodeCommand).join('')));
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      try {
        for (;;) {
          const parsed = parseReply(buffer, 0);
          if (!parsed) return;
          buffer = buffer.subarray(parsed.end);
          replies.push(parsed.value);
          if (replies.length === commands.length) {
            finish(undefined, parsed.value);
            return;
          }
        }
      } catch (err) {
        finish(err instanceof Error ? err : new Error(String(err)));
      }
    });
  });
}

function parseRedisUrl(url: string): { hostname: string; port: number; password: string; username: string } {
  const parsed = new URL(url);
  if (parsed.protocol !== 'redis:') throw new Error(`Only redis:// URLs are supported here (got ${url})`);
  return {
    hostname: parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: Number(parsed.port || 6379),
    password: decodeURIComponent(parsed.password),
    username: decodeURIComponent(parsed.username),
  };
}

function encodeCommand(args: string[]): string {
  return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`;
}

/** Parses one RESP2 reply starting at `start`; undefined when the buffer does not hold all of it yet. */
function parseReply(buf: Buffer, start: number): { value: RespValue; end: number } | undefined {
  const lineEnd = buf.indexOf('\r\n', start);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buf[start] ?? 0);
  const line = buf.toString('utf8', start + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, end: next };
    case '-':
      throw new RedisReplyError(line);
    case ':':
      return { value: Number(line), end: next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, end: next };
      if (buf.length < next + length + 2) return undefined;
      return { value: buf.toString('utf8', next, next + length), end: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, end: next };
      const items: RespValue[] = [];
      let end = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, end);
        if (!item) return undefined;
        items.push(item.value);
        end = item.end;
      }
      return { value: items, end };
    }
    default:
      throw new Error(`Unexpected RESP reply type ${JSON.stringify(type)}`);
  }
}

export interface WaitForRedisOptions {
  timeoutMs?: number;
  /** Checked between attempts: a non-empty string aborts the wait with that reason. */
  abortReason?: () => string | undefined;
  /** Only a server with this process_id counts: another Redis already on the port must not pass for ours. */
  expectPid?: number;
}

/** Resolves once PING answers PONG (from the expected process, if given); rejects after timeoutMs. */
export async function waitForRedis(url: string, options: WaitForRedisOptions = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let lastError = 'no attempt yet';
  for (;;) {
    const aborted = options.abortReason?.();
    if (aborted) throw new Error(aborted);
    try {
      if ((await redisCommand(url, ['PING'], 1_000)) !== 'PONG') {
        lastError = 'PING did not answer PONG';
      } else if (options.expectPid === undefined) {
        return;
      } else {
        const info = String(await redisCommand(url, ['INFO', 'server'], 1_000));
        const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
        if (pid === options.expectPid) return;
        lastError = `the Redis answering on ${url} is process ${pid}, not ours (${options.expectPid})`;
      }
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) throw new Error(`Redis at ${url} not ready: ${lastError}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts redis-server on 127.0.0.1 (a free port unless given) and resolves once it answers PING.
 * A picked port can be taken before redis binds it: then it retries with another one.
 */
export async function startLocalRedis(options: LocalRedisOptions = {}): Promise<LocalRedis> {
  const attempts = options.port === undefined ? 3 : 1;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await startRedisOnce(options.port ?? (await freePort()), options);
    } catch (err) {
      lastError = err;
      if (!(err instanceof Error && /Address already in use/i.test(err.message))) break;
    }
  }
  throw lastError;
}

async function startRedisOnce(port: number, options: LocalRedisOptions): Promise<LocalRedis> {
  const ownsDir = options.dir === undefined;
  const dir = path.resolve(options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-redis-')));
  fs.mkdirSync(dir, { recursive: true });
  const bin = options.bin ?? 'redis-server';
  // A Sentinel rewrites its config file as it learns the set-up, so it gets one of its own.
  const sentinelConf = path.join(dir, 'sentinel.conf');
  if (options.sentinelOf) fs.writeFileSync(sentinelConf, `sentinel monitor ${options.sentinelOf.masterName} 127.0.0.1 ${options.sentinelOf.masterPort} 1\n`);
  const args = [
    ...(options.sentinelOf ? [sentinelConf, '--sentinel'] : []),
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--save', '',
    '--appendonly', options.appendonly ? 'yes' : 'no',
    '--dir', dir,
    '--daemonize', 'no',
    '--logfile', '',
    '--loglevel', 'warning',
  ];
  const logTail: string[] = [];
  // detached: own process group, so a terminal's Ctrl-C reaches Node only (see kafka-local.ts).
  const child: ChildProcess = spawn(bin, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let exitReason: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitReason = signal ? `signal ${signal}` : `exit code ${code}`;
      resolve();
    });
    child.once('error', (err) => {
      exitReason = `could not run ${bin}: ${err.message} (install it: apt-get install redis-server)`;
      resolve();
    });
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      logTail.push(line);
      if (logTail.length > 40) logTail.shift();
      options.logger?.(line);
    });
  }
  const guard = child.pid !== undefined ? guardChild(child, { removeOnOrphan: ownsDir ? [dir] : [], graceMs: 5_000 }) : undefined;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, options.stopTimeoutMs ?? 5_000)))]);
        clearTimeout(timer);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      await exited;
      guard?.release();
      if (ownsDir) await removeDir(dir);
    })();
    return stopping;
  };

  const url = `redis://127.0.0.1:${port}`;
  try {
    await waitForRedis(url, {
      timeoutMs: options.startTimeoutMs ?? 20_000,
      abortReason: () => exitReason && `redis-server exited before it was ready (${exitReason})`,
      expectPid: child.pid,
    });
  } catch (err) {
    await stop();
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`${message}${logTail.length ? `\nLast redis-server output:\n${logTail.join('\n')}` : ''}`);
  }
  return { url, port, pid: child.pid ?? -1, dir, stop, waitForExit: () => exited.then(() => exitReason ?? 'exited') };
}
