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
