// One drift-bench step in its own process (peak RSS is this step's), N replayed hosts named replay-00001…:
//   qualify OUT PROFILE            host-os + server-inventory through the runner and every reporter (the qualified run)
//   drift OUT QUALIFIED PROFILE EDITED K   `hwqual drift` as the CLI runs it (driftCommand), the first K hosts
//                                  replaying the EDITED profile (microcode and QEMU changed), the rest PROFILE
// Prints one JSON line: phases' wall and CPU times, peak RSS, exit code.
import { join } from 'node:path';
import { driftCommand } from '../src/cli/commands/drift.ts';
import { normalizeLab } from '../src/config/lab.ts';
import { inMemoryPlan } from '../src/config/plan.ts';
import type { LabConfig, PlanConfig } from '../src/config/types.ts';
import { applySignoff } from '../src/report/signoff.ts';
import { writeReports } from '../src/report/write.ts';
import type { HostBinding } from '../src/runner/hosts.ts';
import { prepareRun } from '../src/runner/prepare.ts';
import { executeRun } from '../src/runner/run.ts';
import { loadProfile, type HostProfile } from '../src/transport/profile.ts';
import { ReplayTransport } from '../src/transport/replay.ts';

const [mode, nText, out, ...rest] = process.argv.slice(2);
const n = Number(nText);
const t0 = performance.now();
const lab = benchLab(n, out!);

if (mode === 'qualify') {
  const [profileDir] = rest;
  const profile = await loadProfile(profileDir!);
  const plan: PlanConfig = {
    ...inMemoryPlan({
      file: join(out!, 'plan.yaml'),
      sha256: '2'.repeat(64),
      name: 'drift-bench-qualification',
      suites: ['host-os', 'server-inventory'],
    }),
    concurrency: 64,
    timeouts: { case: 120 },
  };
  const prepared = await prepareRun({ lab, plan, bindings: bind(lab, () => profile) });
  const raw = await executeRun({
    lab,
    plan,
    prepared,
    outDir: out!,
    signal: new AbortController().signal,
    progress: {},
  });
  await writeReports(out!, applySignoff(raw));
  report({ cases: raw.cases.length });
} else {
  const [qualified, profileDir, editedDir, kText] = rest;
  const [profile, edited] = [await loadProfile(profileDir!), await loadProfile(editedDir!)];
  const k = Number(kText);
  const bindings = bind(lab, (i) => (i < k ? edited : profile));
  const t1 = performance.now();
  let printed = 0;
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string | Uint8Array) => {
    printed += s.length;
    return true;
  }) as typeof process.stdout.write;
  const code = await driftCommand({ qualified: qualified!, lab: lab.file, out: out! }, ['drift', '(bench)'], {
    lab,
    bindings,
  });
  process.stdout.write = write;
  report({ exitCode: code, driftMs: performance.now() - t1, printedBytes: printed });
}

function report(extra: Record<string, unknown>): void {
  const u = process.cpuUsage();
  process.stdout.write(
    `${JSON.stringify({
      mode,
      hosts: n,
      ...extra,
      inProcessMs: performance.now() - t0,
      cpuMs: (u.user + u.system) / 1000,
      maxRssKiB: process.resourceUsage().maxRSS,
      startupMs: t0,
    })}\n`,
  );
}

function benchLab(count: number, dir: string): LabConfig {
  const names = Array.from({ length: count }, (_, i) => `replay-${String(i + 1).padStart(5, '0')}`);
  return normalizeLab(
    { hosts: names.map((name) => ({ name, address: `replay:${name}`, labels: { hardware: 'bench' } })) } as never,
    join(dir, 'lab.yaml'),
    'drift-bench-lab.yaml',
    '0'.repeat(64),
  );
}

function bind(l: LabConfig, profileOf: (i: number) => HostProfile): HostBinding[] {
  return l.hosts.map((config, i) => {
    const p = profileOf(i);
    const from = `${p.dir} (replayed fake for the drift bench)`;
    return {
      config,
      transport: new ReplayTransport(p, { host: config.name, label: from }),
      replay: { from, origin: p.meta.origin },
    };
  });
}
