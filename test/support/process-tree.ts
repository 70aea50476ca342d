/** A process and its descendants (from /proc), for fixtures that must leave nothing behind. */
import { readdirSync, readFileSync } from 'node:fs';

export function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      /* gone meanwhile */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

export function signalTree(pid: number, signal: NodeJS.Signals): void {
  for (const p of [pid, ...descendantsOf(pid)]) {
    try {
      process.kill(p, signal);
    } catch {
      /* already gone */
    }
  }
}

/** SIGKILL the process and everything below it (a stopped process dies too). */
export function killTree(pid: number): void {
  signalTree(pid, 'SIGKILL');
}
