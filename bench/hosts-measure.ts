// Run one benchmark command and measure it: wall time until the command exits, and the peak memory of its whole
// process tree. cgroup v2 has no memory controller on this machine (hybrid hierarchy; the v1 memory controller
// belongs to the sandbox), so memory is sampled: every SAMPLE_MS, each live process that carries this run's
// marker in its environment (children inherit it; daemonised ssh ControlMasters too) is read from /proc, and the
// sums of RSS and of PSS (shared pages split between sharers — what a cgroup's memory.peak would come closer to)
// are kept at their peak. Processes the run left behind (ControlPersist masters) are ended afterwards.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync, closeSync, readFileSync, readdirSync } from 'node:fs';

const SAMPLE_MS = 50;
const PAGE_KIB = 4;

export interface Measured {
  exitCode: number | null;
  wallMs: number;
  peakRssKiB: number;
  peakPssKiB: number;
  /** Most processes seen at once. */
  peakProcs: number;
  samples: number;
}

export interface RunSpec {
  argv: string[];
  env?: Record<string, string>;
  cwd?: string;
  stdoutFile: string;
  stderrFile: string;
}

export async function measure(spec: RunSpec): Promise<Measured> {
  const marker = `HWQUAL_BENCH_RUN=${randomBytes(8).toString('hex')}`;
  const [key, value] = marker.split('=') as [string, string];
  const out = openSync(spec.stdoutFile, 'w');
  const err = openSync(spec.stderrFile, 'w');
  const known = new Map<number, boolean>(); // pid → carries the marker
  let peakRss = 0,
    peakPss = 0,
    peakProcs = 0,
    samples = 0;
  const sample = () => {
    samples++;
    let rss = 0,
      pss = 0,
      procs = 0;
    for (const pid of ourPids(known, marker)) {
      const m = memoryOf(pid);
      if (!m) continue;
      rss += m.rss;
      pss += m.pss;
      procs++;
    }
    peakRss = Math.max(peakRss, rss);
    peakPss = Math.max(peakPss, pss);
    peakProcs = Math.max(peakProcs, procs);
  };
  const t0 = performance.now();
  const child = spawn(spec.argv[0]!, spec.argv.slice(1), {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env, [key]: value },
    stdio: ['ignore', out, err],
  });
  const timer = setInterval(sample, SAMPLE_MS);
  const exitCode = await new Promise<number | null>((resolve) => {
    child.on('error', () => resolve(null));
    child.on('exit', (code, signal) => resolve(signal ? null : code));
  });
  const wallMs = performance.now() - t0;
  clearInterval(timer);
  closeSync(out);
  closeSync(err);
  // Whatever the run left running (ssh ControlMasters with ControlPersist) goes now, so rounds do not overlap.
  for (const pid of ourPids(known, marker)) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  return { exitCode, wallMs, peakRssKiB: peakRss, peakPssKiB: peakPss, peakProcs, samples };
}

/**
 * Live pids carrying the marker. Each pid's environ is read once while it lives (a pid gone from /proc is forgotten).
 */
function ourPids(known: Map<number, boolean>, marker: string): number[] {
  const live: number[] = [];
  const seen = new Set<number>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    seen.add(pid);
    let mine = known.get(pid);
    if (mine === undefined) {
      try {
        mine = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(marker);
      } catch {
        continue; // gone, or not readable yet
      }
      known.set(pid, mine);
    }
    if (mine) live.push(pid);
  }
  for (const pid of known.keys()) if (!seen.has(pid)) known.delete(pid);
  return live;
}

function memoryOf(pid: number): { rss: number; pss: number } | null {
  try {
    const statm = readFileSync(`/proc/${pid}/statm`, 'latin1').split(' ');
    const rss = Number(statm[1]) * PAGE_KIB;
    let pss = rss;
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1'));
      if (m) pss = Number(m[1]);
    } catch {
      /* no smaps_rollup: count RSS */
    }
    return { rss, pss };
  } catch {
    return null;
  }
}
