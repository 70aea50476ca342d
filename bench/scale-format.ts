// The scale benchmark's report (reports/bench/scale.md): every figure with its target where it has one.
import { type MachineInfo, reportProvenance } from './hosts-machine.ts';
import type { FirstScreen } from './scale-browser.ts';

type Phase = 'profiles' | 'prepare' | 'execute' | 'reports' | 'total';

export interface ScaleSample {
  hosts: number;
  cases: number;
  wallMs: number;
  maxRssKiB: number;
  /** Wall time of each phase inside the process, and CPU time (user + system, all threads) of each. */
  ms: Record<Phase, number>;
  cpuMs: Record<Phase | 'sinceStart', number>;
  /** Heap used and RSS right after the profiles, prepare, execute and reports phases (MiB). */
  heapMiB: number[];
  rssMiB: number[];
  /** From process start to the script's first line (Node, the tsx loader, the imports). */
  startupMs: number;
  /** 1-minute load average just before the sample started (the machine is shared). */
  loadavg1: number;
  bytes: Record<'junit' | 'results' | 'html' | 'markdown', number>;
  statuses: Record<string, number>;
  verdict?: string;
  failures: unknown[];
  junitValid?: boolean;
  junitValidation?: string;
  rebuild?: { exitCode: number; wallMs: number; maxRssKiB: number; resultsUnchanged: boolean };
  browser?: FirstScreen;
}

export const TARGETS = { wallMs: 12_000, rssMiB: 768, rssPerDoubling: 1.3, htmlMiB: 5 };

const mib = (kib: number) => kib / 1024;
const s2 = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const both = (wall: number, cpu: number) => `${s2(wall)} (${s2(cpu)})`;
const size = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const met = (ok: boolean) => (ok ? 'met' : '**NOT met**');

/** Peak RSS growth per doubling of hosts between two samples (1.0 = flat, 2.0 = linear). */
export function rssPerDoubling(a: ScaleSample, b: ScaleSample): number {
  return (b.maxRssKiB / a.maxRssKiB) ** (1 / Math.log2(b.hosts / a.hosts));
}

export function formatScale(m: MachineInfo, samples: ScaleSample[], started: Date): string {
  const rows = samples.map(
    (s) =>
      `| ${[
        s.hosts,
        s.cases,
        s2(s.wallMs),
        s2(s.cpuMs.sinceStart),
        s.loadavg1.toFixed(1),
        s2(s.startupMs),
        both(s.ms.prepare, s.cpuMs.prepare),
        both(s.ms.execute, s.cpuMs.execute),
        both(s.ms.reports, s.cpuMs.reports),
        `${mib(s.maxRssKiB).toFixed(0)} MiB`,
        size(s.bytes.junit),
        size(s.bytes.results),
        size(s.bytes.html),
      ].join(' | ')} |`,
  );
  const heap = samples.map(
    (s) =>
      `| ${s.hosts} | ${['profiles', 'prepare', 'execute', 'reports']
        .map((_, i) => `${s.heapMiB[i]!.toFixed(0)} / ${s.rssMiB[i]!.toFixed(0)}`)
        .join(' | ')} |`,
  );
  const growth = samples.slice(1).map((s, i) => {
    const p = samples[i]!;
    const factors = [
      (s.hosts / p.hosts).toFixed(1),
      (s.wallMs / p.wallMs).toFixed(2),
      (s.cpuMs.sinceStart / p.cpuMs.sinceStart).toFixed(2),
      (s.maxRssKiB / p.maxRssKiB).toFixed(2),
      rssPerDoubling(p, s).toFixed(2),
    ];
    return `| ${p.hosts} → ${s.hosts} | ${factors.map((x) => `×${x}`).join(' | ')} |`;
  });
  return [
    `# Scale benchmark: replayed hosts × ${samples[0] ? samples[0].cases / samples[0].hosts : '?'} host checks`,
    '',
    ...reportProvenance(m, started),
    '',
    "Hosts are REPLAYED fakes (scale test only): every one answers from this machine's recorded profile plus the " +
      'host checks answered live by this machine once, loaded as `hwqual run --replay` loads a profile; no network. ' +
      'They are labelled `hardware: gen1…gen4` (a quarter each) and `rack: r01…r20`, and two generations carry a ' +
      'FAULT INJECTED by the bench (gen2: `cpu-flag-avx2` fails; gen4: `cryptsetup` fails) so the report has ' +
      'failures shared by thousands of hosts. The plan is the default one (`facts: auto`: identity only, the ' +
      "host-checks suite reads no fact), concurrency 64; the cases stream to the run's case log as `hwqual run` " +
      "does. Each size runs in its own process: wall time includes start-up; peak RSS is that process's. Phases " +
      'show wall (CPU).',
    '',
    '| hosts | cases | wall time | CPU time | load (1 min) | start-up | prepare (facts, expansion) | ' +
      'execute (schedule, case log, transcripts) | reports (sign-off, json, junit, html, md) | peak RSS | ' +
      'junit.xml | results.json | report.html |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    'Heap used / RSS right after each phase (MiB; not after a forced collection: garbage not yet collected ' +
      'counts), where the memory goes:',
    '',
    '| hosts | profiles loaded | prepared | executed | reports written |',
    '| ---: | ---: | ---: | ---: | ---: |',
    ...heap,
    '',
    'Growth (per doubling of hosts: ×2.00 = linear, ×1.00 = flat):',
    '',
    '| hosts | host factor | wall time | CPU time | peak RSS | peak RSS per doubling |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...growth,
    '',
    ...targetLines(samples),
    '',
    'Reproduce: `npm run bench -- scale` (`HWQUAL_SCALE_SIZES=2000,10000` to narrow it).',
    '',
  ].join('\n');
}

function targetLines(samples: ScaleSample[]): string[] {
  const at = samples.find((s) => s.rebuild) ?? samples[samples.length - 1];
  if (!at) return [];
  const small = samples.find((s) => s.hosts === 2000) ?? samples[0]!;
  const perDoubling = at !== small ? rssPerDoubling(small, at) : Number.NaN;
  const out = [
    `Targets at ${at.hosts} hosts (${at.cases} cases):`,
    `- wall time < ${TARGETS.wallMs / 1000} s: ${s2(at.wallMs)} — ${met(at.wallMs < TARGETS.wallMs)} ` +
      `(CPU ${s2(at.cpuMs.sinceStart)}; load average ${at.loadavg1.toFixed(1)} on a 2-core machine when it started)`,
    `- peak RSS < ${TARGETS.rssMiB} MiB: ${mib(at.maxRssKiB).toFixed(0)} MiB — ` +
      met(mib(at.maxRssKiB) < TARGETS.rssMiB),
    `- peak RSS ×${TARGETS.rssPerDoubling} at most per doubling from ${small.hosts}: ` +
      `${mib(small.maxRssKiB).toFixed(0)} → ${mib(at.maxRssKiB).toFixed(0)} MiB = ×${perDoubling.toFixed(2)} per ` +
      `doubling — ${met(perDoubling <= TARGETS.rssPerDoubling)}`,
  ];
  for (const s of samples.filter((x) => x.junitValid !== undefined))
    out.push(
      `- junit.xml of ${s.cases} cases (${size(s.bytes.junit)}) against the Jenkins JUnit XSD: ` +
        (s.junitValid ? 'valid' : `**INVALID** (${s.junitValidation})`),
    );
  if (at.rebuild) {
    const r = at.rebuild;
    out.push(
      `- \`hwqual report\` on the ${at.hosts}-host run folder (every file rebuilt; results.json of ` +
        `${size(at.bytes.results)} read ` +
        `${at.bytes.results > 32 * 2 ** 20 ? 'case by case' : 'whole (under 32 MiB)'}): ` +
        `exit ${r.exitCode} (the verdict's), ${s2(r.wallMs)}, peak RSS ${mib(r.maxRssKiB).toFixed(0)} MiB ` +
        `(the run's: ${mib(at.maxRssKiB).toFixed(0)} MiB) — ${met(r.maxRssKiB <= at.maxRssKiB * 1.1)}; ` +
        `results.json ${r.resultsUnchanged ? 'byte for byte unchanged' : '**CHANGED**'}`,
    );
  }
  if (at.browser) {
    const b = at.browser;
    out.push(
      `- report.html ${size(at.bytes.html)} (< ${TARGETS.htmlMiB} MiB: ` +
        `${met(at.bytes.html < TARGETS.htmlMiB * 2 ** 20)}) in Chromium ${b.viewport.width}×${b.viewport.height}: ` +
        `loaded in ${s2(b.loadMs)}, ${b.requests} request (itself), verdict "${b.verdict}", ` +
        `${b.failureCards} failure cards, ${b.matrixRows} matrix rows (hosts by hardware); on the first screen ` +
        `(tops: verdict ${b.tops.verdict.toFixed(0)} px, matrix ${b.tops.matrix.toFixed(0)} px, first failure card ` +
        `${b.tops.failures.toFixed(0)} px): ${met(b.onFirstScreen)} — screenshot ` +
        `[scale-report-${at.hosts}.png](scale-report-${at.hosts}.png)`,
    );
  }
  out.push(
    '',
    `Outcome at ${at.hosts} hosts: ${Object.entries(at.statuses)
      .filter(([k, v]) => k !== 'total' && v > 0)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')}; verdict ${at.verdict ?? '?'}.`,
  );
  return out;
}
