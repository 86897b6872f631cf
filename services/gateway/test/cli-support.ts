import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../../..');

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts a program from the repository root with only PATH, HOME and `env` set, collecting its output. */
export function startProcess(command: string, args: string[], env: Record<string, string>): { child: ChildProcess; done: Promise<ProcessResult> } {
  const child = spawn(command, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<ProcessResult>((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
  return { child, done };
}

export function runProcess(command: string, args: string[], env: Record<string, string>): Promise<ProcessResult> {
  return startProcess(command, args, env).done;
}

/** The admin CLI as `npm run gateway --` runs it (`tsx services/gateway/src/cli/index.ts`), in its own process. */
export function gateway(args: string[], env: Record<string, string>): Promise<ProcessResult> {
  return runProcess(join(ROOT, 'node_modules/.bin/tsx'), ['services/gateway/src/cli/index.ts', ...args], env);
}
