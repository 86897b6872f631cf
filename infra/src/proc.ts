import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU seconds (user + system) a process has used so far, read from /proc/<pid>/stat; undefined
 * when the pid is unknown or there is no /proc (macOS). For benchmarks that report where the CPU
 * went (the gateway's processes, the local broker, Redis).
 */
export function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  const fields = statFields(pid);
  return fields ? (Number(fields[11]) + Number(fields[12])) / 100 : undefined;
}

/**
 * The same for a process and every process below it that is still running (a cluster primary
 * and its workers, say); undefined when the process itself cannot be read.
 */
export function cpuSecondsOfTree(pid: number | undefined): number | undefined {
  const own = cpuSecondsOf(pid);
  if (own === undefined) return undefined;
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const parent = Number(statFields(Number(name))?.[1]);
    if (!Number.isFinite(parent)) continue;
    children.set(parent, [...(children.get(parent) ?? []), Number(name)]);
  }
  let total = own;
  const below = [...(children.get(pid as number) ?? [])];
  for (let next = below.pop(); next !== undefined; next = below.pop()) {
    total += cpuSecondsOf(next) ?? 0;
    below.push(...(children.get(next) ?? []));
  }
  return total;
}

/** /proc/<pid>/stat after the command name (which may itself hold spaces and parentheses): [0] is the state, [1] the parent pid. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}
