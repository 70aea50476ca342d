// One scale-bench sample in its own process (so peak RSS is this run's): N replayed hosts × the host checks, through
// the runner and every reporter, as `hwqual run --replay` does: the replayed profile is a folder (written once by
// scale.ts, see scale-profile.ts) loaded the way --replay loads one. Prints one JSON line with the phases' wall and
// CPU times.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeLab } from '../src/config/lab.ts';
import type { PlanConfig } from '../src/config/types.ts';
import { applySignoff } from '../src/report/signoff.ts';
import { writeReports } from '../src/report/write.ts';
import { prepareRun } from '../src/runner/prepare.ts';
import { executeRun } from '../src/runner/run.ts';
import { logSink } from '../src/runner/case-sink.ts';
import { loadProfile } from '../src/transport/profile.ts';
import { ReplayTransport } from '../src/transport/replay.ts';
import { loadHostChecks } from '../suites/host-checks/checks-file.ts';
import { BASE_PROFILE, scaleProfile } from './scale-profile.ts';

const [nText, outDir, profileDir] = process.argv.slice(2);
const n = Number(nText);
const t0 = performance.now();
const cpu: number[] = [cpuMs()];
const profile = profileDir ? await loadProfile(profileDir) : await scaleProfile(loadHostChecks());
const names = Array.from({ length: n }, (_, i) => `replay-${String(i + 1).padStart(5, '0')}`);
const lab = normalizeLab(
  { hosts: names.map((name) => ({ name, address: `replay:${name}`, labels: { replayed: 'true' } })) } as never,
  join(outDir, 'lab.yaml'),
  'scale-lab.yaml',
  '0'.repeat(64),
);
const plan: PlanConfig = {
  file: join(outDir, 'plan.yaml'),
  sha256: '1'.repeat(64),
  name: 'scale-host-checks',
  suites: ['host-checks'],
  hosts: {},
  severity: {},
  require: {},
  concurrency: 64,
  timeouts: { case: 120 },
  retries: 0,
  retryFailed: false,
  matrix: {},
  settings: {},
};
const from = `${BASE_PROFILE} + host checks (replayed fake for the scale bench)`;
const bindings = lab.hosts.map((config) => ({
  config,
  transport: new ReplayTransport(profile, { host: config.name, label: from }),
  replay: { from, origin: profile.meta.origin },
}));
const t1 = performance.now();
cpu.push(cpuMs());
const prepared = await prepareRun({ lab, plan, bindings });
const t2 = performance.now();
cpu.push(cpuMs());
const sink = logSink(join(outDir, '.hwqual-cases.jsonl'), prepared.cases.length);
const raw = await executeRun({ lab, plan, prepared, outDir, signal: new AbortController().signal, progress: {}, sink });
const t3 = performance.now();
cpu.push(cpuMs());
const results = applySignoff(raw);
const written = await writeReports(outDir, results);
sink.log.remove();
const t4 = performance.now();
cpu.push(cpuMs());
const size = (f: string) => statSync(join(outDir, f)).size;
process.stdout.write(
  `${JSON.stringify({
    hosts: n,
    cases: results.cases.length,
    failures: written.failures,
    statuses: results.summary,
    ms: { profiles: t1 - t0, prepare: t2 - t1, execute: t3 - t2, reports: t4 - t3, total: t4 - t0 },
    cpuMs: {
      profiles: cpu[1]! - cpu[0]!,
      prepare: cpu[2]! - cpu[1]!,
      execute: cpu[3]! - cpu[2]!,
      reports: cpu[4]! - cpu[3]!,
      total: cpu[4]! - cpu[0]!,
      sinceStart: cpu[4]!,
    },
    bytes: {
      junit: size('junit.xml'),
      results: size('results.json'),
      html: size('report.html'),
      markdown: size('report.md'),
    },
    maxRssKiB: process.resourceUsage().maxRSS,
    // Start-up: from process start to this script's first line (Node, the tsx loader, imports).
    startupMs: t0,
  })}\n`,
);

/** CPU time (user + system) of this process so far, in ms. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
