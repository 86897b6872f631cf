import { readFileSync } from 'node:fs';

/**
 * CPU seconds (user + system) a process has used so far, read from /proc/<pid>/stat; undefined
 * when the pid is unknown or there is no /proc (macOS). For benchmarks that report where the CPU
 * went (the gateway's processes, the local broker, Redis).
 */
export function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}
