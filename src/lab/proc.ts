import { readFileSync, readdirSync } from 'node:fs';
import { eventually } from '../util/poll.ts';
import type { RecordedProcess } from './types.ts';

/**
 * Processes identified by pid AND start time (/proc/<pid>/stat field 22), since pids are reused.
 * A zombie counts as gone: it runs nothing and only waits for its parent to reap it.
 */

export interface StatFields {
  pid: number;
  state: string;
  ppid: number;
  startTime: string;
}

/** Parse /proc/<pid>/stat. The command name (field 2) may hold spaces and parentheses: read after the last ')'. */
export function parseStat(text: string): StatFields {
  const close = text.lastIndexOf(')');
  if (close < 0) throw new Error('malformed /proc stat line');
  const pid = Number(text.slice(0, text.indexOf('(')).trim());
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state), so field N is rest[N - 3].
  return { pid, state: rest[0]!, ppid: Number(rest[1]), startTime: rest[22 - 3]! };
}

export function readStat(pid: number): StatFields | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The recorded process still runs: same pid, same start time, not a zombie. */
export function isAlive(proc: RecordedProcess): boolean {
  const s = readStat(proc.pid);
  return s !== undefined && s.startTime === proc.startTime && s.state !== 'Z' && s.state !== 'X';
}

export function recordProcess(pid: number): RecordedProcess | undefined {
  const s = readStat(pid);
  return s && s.state !== 'Z' ? { pid, startTime: s.startTime } : undefined;
}

/** Every live descendant of `pid` (children first found, grandchildren after), each with its start time. */
export function descendants(pid: number): RecordedProcess[] {
  const all: StatFields[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) all.push(s);
  }
  const out: RecordedProcess[] = [];
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const s of all) {
      if (s.ppid === parent && s.state !== 'Z') {
        out.push({ pid: s.pid, startTime: s.startTime });
        queue.push(s.pid);
      }
    }
  }
  return out;
}

/**
 * Stop a recorded process: SIGTERM, up to `graceMs`, then SIGKILL. Never signals a pid whose start time changed.
 * Returns whether a signal was sent.
 */
export async function stopRecorded(proc: RecordedProcess, graceMs = 2000): Promise<boolean> {
  if (!isAlive(proc)) return false;
  const gone = () => !isAlive(proc);
  signal(proc.pid, 'SIGTERM');
  if (await eventually(gone, { timeoutMs: graceMs, everyMs: 50 })) return true;
  if (isAlive(proc)) signal(proc.pid, 'SIGKILL');
  await eventually(gone, { timeoutMs: 2000, everyMs: 50 });
  return true;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* gone meanwhile */
  }
}
