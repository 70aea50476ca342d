// One scale-bench sample in its own process (so peak RSS is this run's): N replayed hosts × the host checks, through
// the runner and every reporter, as `hwqual run --replay` does: the replayed profile is a folder (written once by
// scale.ts, see scale-profile.ts) loaded the way --replay loads one, the cases streamed to the run's case log as
// `hwqual run` does. Prints one JSON line with the phases' wall and CPU times and the heap used after each phase.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { runSignoffFeed } from '../src/cli/signoff-feed.ts';
import { normalizeLab } from '../src/config/lab.ts';
import { inMemoryPlan } from '../src/config/plan.ts';
import type { PlanConfig } from '../src/config/types.ts';
import { applySignoff } from '../src/report/signoff.ts';
import { writeReports } from '../src/report/write.ts';
import { logSink } from '../src/runner/case-sink.ts';
import { prepareRun } from '../src/runner/prepare.ts';
import { executeRun } from '../src/runner/run.ts';
import { loadProfile } from '../src/transport/profile.ts';
import { ReplayTransport } from '../src/transport/replay.ts';
import { loadHostChecks } from '../suites/host-checks/checks-file.ts';
import { BASE_PROFILE, GENERATIONS, generationProfile, INJECTED, scaleProfile } from './scale-profile.ts';

const [nText, outDir, profileDir] = process.argv.slice(2);
const n = Number(nText);
const t0 = performance.now();
const cpu: number[] = [cpuMs()];
const heap: number[] = [];
const rss: number[] = [];
const mark = () => {
  cpu.push(cpuMs());
  const m = process.memoryUsage();
  heap.push(m.heapUsed);
  rss.push(m.rss);
};
const checks = loadHostChecks();
const base = profileDir ? await loadProfile(profileDir) : await scaleProfile(checks);
const profiles = new Map(GENERATIONS.map((g) => [g, generationProfile(base, checks, g)]));
const names = Array.from({ length: n }, (_, i) => `replay-${String(i + 1).padStart(5, '0')}`);
const generationOf = (i: number) => GENERATIONS[i % GENERATIONS.length]!;
const lab = normalizeLab(
  {
    hosts: names.map((name, i) => ({
      name,
      address: `replay:${name}`,
      labels: { hardware: generationOf(i), rack: `r${String((i % 20) + 1).padStart(2, '0')}` },
    })),
  } as never,
  join(outDir, 'lab.yaml'),
  'scale-lab.yaml',
  '0'.repeat(64),
);
// Default facts (auto): the host-checks suite reads none, so identity only.
const plan: PlanConfig = {
  ...inMemoryPlan({
    file: join(outDir, 'plan.yaml'),
    sha256: '1'.repeat(64),
    name: 'scale-host-checks',
    suites: ['host-checks'],
  }),
  concurrency: 64,
  timeouts: { case: 120 },
};
const bindings = lab.hosts.map((config, i) => {
  const g = generationOf(i);
  const fault = INJECTED[g] ? ` + injected fault: ${INJECTED[g].check} fails` : '';
  const from = `${BASE_PROFILE} + host checks${fault} (replayed fake for the scale bench)`;
  return {
    config,
    transport: new ReplayTransport(profiles.get(g)!, { host: config.name, label: from }),
    replay: { from, origin: base.meta.origin },
  };
});
const t1 = performance.now();
mark();
const prepared = await prepareRun({ lab, plan, bindings });
const t2 = performance.now();
mark();
// As `hwqual run` does: the sign-off's pass fed as the cases end.
const startedAt = new Date();
const signoff = {};
const feed = runSignoffFeed(prepared, startedAt, signoff);
const sink = logSink(join(outDir, '.hwqual-cases.jsonl'), prepared.cases.length, (i, c) => feed.put(i, c));
const raw = await executeRun({
  lab,
  plan,
  prepared,
  outDir,
  signal: new AbortController().signal,
  progress: {},
  startedAt,
  sink,
});
const t3 = performance.now();
mark();
const results = applySignoff(raw, signoff, feed.done());
const written = await writeReports(outDir, results);
sink.log.remove();
const t4 = performance.now();
mark();
const size = (f: string) => statSync(join(outDir, f)).size;
process.stdout.write(
  `${JSON.stringify({
    hosts: n,
    cases: results.cases.length,
    failures: written.failures,
    statuses: results.summary,
    verdict: results.signoff?.verdict,
    ms: { profiles: t1 - t0, prepare: t2 - t1, execute: t3 - t2, reports: t4 - t3, total: t4 - t0 },
    cpuMs: {
      profiles: cpu[1]! - cpu[0]!,
      prepare: cpu[2]! - cpu[1]!,
      execute: cpu[3]! - cpu[2]!,
      reports: cpu[4]! - cpu[3]!,
      total: cpu[4]! - cpu[0]!,
      sinceStart: cpu[4]!,
    },
    // Heap used and RSS right after each phase (profiles, prepare, execute, reports): where the memory goes.
    heapMiB: heap.map((b) => b / 2 ** 20),
    rssMiB: rss.map((b) => b / 2 ** 20),
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
