// `npm run bench -- drift`: `hwqual drift` over 2,000 replayed hosts (this machine's recorded profile, as the scale
// bench replays it) against a qualified run of host-os + server-inventory on the same 2,000 (made first, not
// measured). 10 % of the hosts replay a copy with the microcode and the QEMU version changed, so the drifted path
// (table, affected ids, the regex, the combined re-run command) is measured too. Each step runs in its own process;
// wall time includes start-up. Targets: < 10 s wall and < 1 GiB.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { CMD } from '../src/probe/commands.ts';
import { loadProfile, saveProfile } from '../src/transport/profile.ts';
import { machineInfo } from './hosts-machine.ts';
import { BASE_PROFILE } from './scale-profile.ts';

const ROOT = resolve(import.meta.dirname, '..');

interface Step {
  mode: string;
  hosts: number;
  exitCode?: number;
  cases?: number;
  driftMs?: number;
  inProcessMs: number;
  cpuMs: number;
  maxRssKiB: number;
  startupMs: number;
  wallMs: number;
  loadavg1: number;
}

export async function benchDrift(hosts = Number(process.env.HWQUAL_DRIFT_HOSTS ?? 2000)): Promise<string> {
  const root = mkdtempSync('/tmp/hwqual-bench-drift-');
  const machine = machineInfo();
  try {
    const edited = join(root, 'edited');
    const base = await loadProfile(BASE_PROFILE);
    await saveProfile(edited, { ...base, commands: base.commands.map(updated) });
    const qualified = join(root, 'qualified');
    const q = step(['qualify', String(hosts), qualified, BASE_PROFILE]);
    const qualifiedBytes = statSync(join(qualified, 'results.json')).size;
    const drifted = Math.round(hosts / 10);
    const runs = [0, 1].map((i) =>
      step(['drift', String(hosts), join(root, `drift-${i}`), qualified, BASE_PROFILE, edited, String(drifted)]),
    );
    const md = format(machine, q, qualifiedBytes, runs, drifted);
    const outDir = join(ROOT, 'reports/bench');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'drift.json'), `${JSON.stringify({ machine, commit: commit(), q, runs }, null, 2)}\n`);
    writeFileSync(join(outDir, 'drift.md'), md);
    return md;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** The edited copy: a microcode update and a QEMU package update, as in docs/drift.md. */
function updated<T extends { command: string; stdout: string }>(c: T): T {
  if (c.command === CMD.microcode) return { ...c, stdout: '0x0a0011d5\n', exitCode: 0 };
  if (c.command === CMD.qemuX86) return { ...c, stdout: c.stdout.replace(/version \S+/, 'version 8.2.2') };
  return c;
}

function step(args: string[]): Step {
  const loadavg1 = loadavg()[0]!;
  const t0 = performance.now();
  const text = execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/drift-run-once.ts'), ...args], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const s = { ...JSON.parse(text.trim().split('\n').pop()!), wallMs: performance.now() - t0, loadavg1 } as Step;
  process.stderr.write(
    `bench drift: ${args[0]} ${s.hosts} hosts: ${(s.wallMs / 1000).toFixed(2)} s wall, ` +
      `${(s.cpuMs / 1000).toFixed(2)} s CPU, ${(s.maxRssKiB / 1024).toFixed(0)} MiB\n`,
  );
  return s;
}

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function format(m: ReturnType<typeof machineInfo>, q: Step, qBytes: number, runs: Step[], drifted: number): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const mib = (k: number) => `${(k / 1024).toFixed(0)} MiB`;
  const best = runs.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
  return [
    `# Drift benchmark: ${best.hosts} replayed hosts against a qualified run`,
    '',
    `${new Date().toISOString().slice(0, 10)}, commit ${commit()}. Machine: ${m.cpu}, ${m.cores} cores, ` +
      `${m.memGiB} GiB, ${m.os}, Node ${m.node}; load average ${m.loadavgStart} at start.`,
    "Hosts are REPLAYED fakes: every one answers from this machine's recorded profile " +
      '(fixtures/hosts/this-machine-debian12); ' +
      `${drifted} of them from a copy with the microcode and the QEMU version changed. No network. Each step in ` +
      `its own process.`,
    '',
    `Qualified run (set-up, not measured against the target): host-os + server-inventory, ${q.cases} cases, ` +
      `${s(q.wallMs)} wall, results.json ${(qBytes / 2 ** 20).toFixed(1)} MiB.`,
    '',
    '| run | exit | wall time | CPU time | load (1 min) | start-up | drift (read + validate the run, facts, cases, ' +
      'reports) | peak RSS |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...runs.map(
      (r, i) =>
        `| ${i + 1} | ${r.exitCode} | ${s(r.wallMs)} | ${s(r.cpuMs)} | ${r.loadavg1.toFixed(1)} | ` +
        `${s(r.startupMs)} | ${s(r.driftMs ?? 0)} | ${mib(r.maxRssKiB)} |`,
    ),
    '',
    `Targets at ${best.hosts} hosts: < 10 s wall (${s(best.wallMs)}: ${best.wallMs < 10_000 ? 'met' : 'NOT met'}), ` +
      `< 1 GiB (${mib(best.maxRssKiB)}: ${best.maxRssKiB < 1024 * 1024 ? 'met' : 'NOT met'}).`,
    '',
    'Reproduce: `npm run bench -- drift` (HWQUAL_DRIFT_HOSTS=500 to narrow it).',
    '',
  ].join('\n');
}
