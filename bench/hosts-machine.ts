// What a benchmark ran on (for the report: figures mean little without the machine and its load).
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';

export interface MachineInfo {
  cpu: string;
  cores: number;
  memGiB: number;
  kernel: string;
  os: string;
  node: string;
  loadavgStart: string;
  loadavgEnd?: string;
  tools: Record<string, string>;
  /** The commit the benchmark started from (benchCommit). */
  commit?: string;
}

export function machineInfo(): MachineInfo {
  const osRelease = readFileSync('/etc/os-release', 'utf8');
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim(),
    os: /^PRETTY_NAME="?([^"\n]*)/m.exec(osRelease)?.[1] ?? 'linux',
    node: process.version,
    loadavgStart: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    tools: toolVersions(),
    commit: benchCommit(),
  };
}

function toolVersions(): Record<string, string> {
  const out: Record<string, string> = {};
  const pkgs = [
    'openssh-client',
    'openssh-server',
    'ansible',
    'ansible-core',
    'python3-testinfra',
    'python3-pytest-xdist',
    'python3-paramiko',
    'python3-pytest',
  ];
  for (const p of pkgs) {
    try {
      out[p] = execFileSync('dpkg-query', ['-W', '-f=${Version}', p], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    } catch {
      /* not installed */
    }
  }
  return out;
}

export function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The commit the benchmark ran (with `-dirty` when the tree had changes), or 'unknown' outside a checkout. */
export function benchCommit(): string {
  const git = (args: string[]) =>
    execFileSync('git', args, {
      cwd: import.meta.dirname,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  try {
    const head = git(['rev-parse', '--short=12', 'HEAD']);
    return git(['status', '--porcelain', '--untracked-files=no']) ? `${head}-dirty` : head;
  } catch {
    return 'unknown';
  }
}

/**
 * The lines every stored benchmark report opens with: when it ran, on what machine, from which commit (a figure in
 * docs/performance.md cites a report that says all three).
 */
export function reportProvenance(m: MachineInfo, started: Date, ended = new Date()): string[] {
  return [
    `Run: ${started.toISOString()} – ${ended.toISOString()}, commit ${m.commit ?? benchCommit()}.`,
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB, ${m.os}, kernel ${m.kernel}, Node ${m.node}; ` +
      `load average ${m.loadavgStart} at start${m.loadavgEnd ? `, ${m.loadavgEnd} at end` : ''} ` +
      '(a shared machine: read CPU times and ratios before wall times).',
  ];
}
