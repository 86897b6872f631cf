import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { waitFor } from '@gateway/tests/support/infra';
import { redisCommand } from './redis-local';

const CLI = path.join(__dirname, 'cli.ts');

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs `cli.ts redis` as a plain node process (no tsx wrapper process) and waits for its address. */
async function startCli(): Promise<{ cli: ChildProcess; url: string; pid: number }> {
  const cli = spawn(process.execPath, ['--import', 'tsx', CLI, 'redis'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: cli.stdout as NodeJS.ReadableStream });
  let url = '';
  let pid = 0;
  for await (const line of lines) {
    pid ||= Number(/\(pid (\d+)\)/.exec(line)?.[1] ?? 0);
    url ||= /^REDIS_URL=(.+)$/.exec(line)?.[1] ?? '';
    if (url && pid) break;
  }
  if (!url || !pid) throw new Error('the CLI did not print REDIS_URL and a pid');
  return { cli, url, pid };
}

describe('servers die with the process that started them', () => {
  it('when the CLI gets Ctrl-C, then it stops redis-server cleanly and exits 0', async () => {
    const { cli, url, pid } = await startCli();
    expect(await redisCommand(url, ['PING'])).toBe('PONG');
    const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
    cli.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(processAlive(pid)).toBe(false);
  });

  it('when the process that started redis-server is SIGKILLed, then the watchdog ends redis-server and removes its temp dir', async () => {
    const { cli, pid } = await startCli();
    const dir = fs.readlinkSync(`/proc/${pid}/cwd`);
    expect(path.basename(dir)).toMatch(/^gateway-redis-/);
    cli.kill('SIGKILL');
    await waitFor(() => !processAlive(pid) && !fs.existsSync(dir), { timeoutMs: 15_000, message: 'redis-server gone and its dir removed' });
  });
});
