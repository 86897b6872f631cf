import { spawn } from 'node:child_process';
import { guardChild } from '../reaper';

// Small helpers shared by the jar provisioning, the readiness check and the broker.

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function tail(text: string, lines: number): string {
  return text.split('\n').slice(-lines).join('\n');
}

interface CommandResult {
  code: number;
  output: string;
}

/** Runs a command to completion, collecting stdout+stderr; a missing binary becomes a clear error. */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd?: string; timeoutMs: number; onLine?: (line: string) => void },
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const guard = child.pid !== undefined ? guardChild(child) : undefined;
    let output = '';
    const collect = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      guard?.release();
      const hint = command === 'mvn' ? ' (Apache Maven is needed to fetch the Kafka jars: apt-get install maven)' : ' (Java 17+ is needed to run Kafka)';
      reject(new Error(`Could not run ${command}: ${err.message}${hint}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      guard?.release();
      for (const line of output.split('\n')) if (line) options.onLine?.(line);
      resolve({ code: code ?? (signal ? 128 : 1), output });
    });
  });
}
