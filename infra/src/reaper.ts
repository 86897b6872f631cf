import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

/**
 * Makes a server process (Kafka's JVM, redis-server) die with the Node process that started it.
 *
 * Two layers, because no single one covers every way Node can end:
 *  - a process 'exit' hook sends SIGTERM at once on a normal exit or an uncaught error;
 *  - a tiny detached watchdog process holds a pipe from us. When this Node process dies for any reason,
 *    SIGKILL and OOM included, the kernel closes the pipe, the watchdog reads EOF, terminates the server
 *    (SIGTERM, SIGKILL after a grace period) and removes its temp dirs.
 * No SIGINT/SIGTERM handlers are installed here: that would change how the host process reacts to
 * signals (jest, the CLI). Dying from the signal closes the pipe, which is enough.
 */
export interface ChildGuard {
  /** The server stopped on purpose: stop watching it (and stop the watchdog). Idempotent. */
  release(): void;
}

export interface GuardOptions {
  /** Removed by the watchdog after the server is gone, if this process died without cleaning up. */
  removeOnOrphan?: string[];
  /** How long the watchdog waits after SIGTERM before SIGKILL. */
  graceMs?: number;
}

// Plain JS run with `node -e`, so it needs neither tsx nor a build. argv: pid, graceMs, dirs...
const WATCHDOG_SOURCE = `
const fs = require('fs');
const pid = Number(process.argv[1]);
const graceMs = Number(process.argv[2]);
const dirs = process.argv.slice(3);
process.title = 'gateway-infra-watchdog ' + pid;
function alive() {
  try {
    // A zombie still answers kill(0); count it as gone.
    const stat = fs.readFileSync('/proc/' + pid + '/stat', 'utf8');
    if (/^\\d+ \\(.*\\) Z/.test(stat)) return false;
  } catch (e) { /* no /proc (macOS): fall through */ }
  try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
}
let reaping = false;
function reap() {
  if (reaping) return;
  reaping = true;
  try { process.kill(pid, 'SIGTERM'); } catch (e) { /* already gone */ }
  const started = Date.now();
  const timer = setInterval(() => {
    if (alive() && Date.now() - started < graceMs) return;
    if (alive()) { try { process.kill(pid, 'SIGKILL'); } catch (e) { /* gone */ } }
    clearInterval(timer);
    setTimeout(() => {
      for (const dir of dirs) { try { fs.rmSync(dir, { recursive: true, force: true }); } catch (e) { /* best effort */ } }
      process.exit(0);
    }, 200);
  }, 100);
}
// Terminal signals are aimed at the parent; the watchdog outlives it on purpose.
process.on('SIGINT', () => {});
process.on('SIGHUP', () => {});
process.stdin.on('data', () => {});
process.stdin.on('end', reap);
process.stdin.on('error', reap);
`;

const guards = new Set<{ pid: number }>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Only synchronous work is possible here; the watchdog finishes the job (SIGKILL, temp dirs).
  process.on('exit', () => {
    for (const guard of guards) {
      try {
        process.kill(guard.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  });
}

/** Watches `child` (already spawned, with a pid) until `release()` or until the child exits by itself. */
export function guardChild(child: ChildProcess, options: GuardOptions = {}): ChildGuard {
  const pid = child.pid;
  if (pid === undefined) throw new Error('guardChild: the child process has no pid (did it fail to spawn?)');
  installExitHook();
  const entry = { pid };
  guards.add(entry);

  const watchdog = spawn(
    process.execPath,
    ['-e', WATCHDOG_SOURCE, String(pid), String(options.graceMs ?? 10_000), ...(options.removeOnOrphan ?? [])],
    // detached: its own process group, so a Ctrl-C aimed at our group does not kill it before it reaps.
    // NODE_OPTIONS cleared so that a tsx/ts-node loader of the parent is not loaded into it.
    { stdio: ['pipe', 'ignore', 'ignore'], detached: true, env: { ...process.env, NODE_OPTIONS: '' } },
  );
  watchdog.on('error', () => {
    // Could not start a watchdog: the exit hook still covers normal exits.
  });
  watchdog.unref();
  // The pipe to the watchdog must not keep this process alive by itself.
  if (watchdog.stdin instanceof net.Socket) watchdog.stdin.unref();
  watchdog.stdin?.on('error', () => {});

  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    guards.delete(entry);
    child.off('exit', release);
    // Ask the watchdog to go away without reaping: a signal, never EOF (EOF means "parent died").
    if (watchdog.exitCode === null && watchdog.signalCode === null) watchdog.kill('SIGTERM');
  };
  // A server that exits by itself must not be reaped later by pid: the pid may be reused.
  child.once('exit', release);
  return { release };
}

/** Removes a directory tree, ignoring a missing one. */
export async function removeDir(dir: string): Promise<void> {
  await fs.promises.rm(dir, { recursive: true, force: true, maxRetries: 3 });
}
