// `npm run bench -- scale`: 250, 500, 1,000 and 2,000 replayed hosts × the host checks (replay transport, no
// network): plan expansion, scheduling, results, junit.xml, results.json, report.html/.md and the sign-off. Each
// size runs in its own process (peak RSS is that run's); wall time is the whole process, start-up included.
// The biggest junit.xml is validated against the Jenkins JUnit XSD. Targets: 2,000 hosts < 15 s and < 1 GiB,
// growth no worse than linear.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { saveProfile } from '../src/transport/profile.ts';
import { loadHostChecks } from '../suites/host-checks/checks-file.ts';
import { machineInfo, type MachineInfo } from './hosts-machine.ts';
import { scaleProfile } from './scale-profile.ts';

const ROOT = resolve(import.meta.dirname, '..');
const XSD = resolve(ROOT, 'fixtures/schemas/junit-jenkins.xsd');

type Phase = 'profiles' | 'prepare' | 'execute' | 'reports' | 'total';

interface ScaleSample {
  hosts: number;
  cases: number;
  wallMs: number;
  maxRssKiB: number;
  /** Wall time of each phase inside the process, and CPU time (user + system, all threads) of each. */
  ms: Record<Phase, number>;
  cpuMs: Record<Phase | 'sinceStart', number>;
  /** From process start to the script's first line (Node, the tsx loader, the imports). */
  startupMs: number;
  /** 1-minute load average just before the sample started (the machine is shared). */
  loadavg1: number;
  bytes: Record<'junit' | 'results' | 'html' | 'markdown', number>;
  statuses: Record<string, number>;
  failures: unknown[];
  junitValid?: boolean;
  junitValidation?: string;
}

export async function benchScale(sizes = envSizes() ?? [250, 500, 1000, 2000]): Promise<string> {
  const root = mkdtempSync('/tmp/hwqual-bench-scale-');
  const machine = machineInfo();
  const samples: ScaleSample[] = [];
  try {
    // The replayed host is made once (this machine answers the host checks live) and saved as a profile folder;
    // each sample loads it as `hwqual run --replay DIR` would.
    const profileDir = join(root, 'profile');
    await saveProfile(profileDir, await scaleProfile(loadHostChecks()));
    for (const n of sizes) {
      const out = join(root, `run-${n}`);
      mkdirSync(out, { recursive: true });
      const loadavg1 = loadavg()[0]!;
      const t0 = performance.now();
      const text = execFileSync(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'bench/scale-run-once.ts'), String(n), out, profileDir],
        { encoding: 'utf8', maxBuffer: 16 << 20, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const wallMs = performance.now() - t0;
      const sample: ScaleSample = {
        ...(JSON.parse(text.trim().split('\n').pop()!) as Omit<ScaleSample, 'wallMs' | 'loadavg1'>),
        wallMs,
        loadavg1,
      };
      if (n === Math.max(...sizes)) Object.assign(sample, validateJunit(join(out, 'junit.xml')));
      samples.push(sample);
      process.stderr.write(
        `bench scale: ${n} hosts: ${(wallMs / 1000).toFixed(2)} s wall, ` +
          `${(sample.cpuMs.sinceStart / 1000).toFixed(2)} s CPU, ${(sample.maxRssKiB / 1024).toFixed(0)} MiB, ` +
          `load ${loadavg1.toFixed(1)}\n`,
      );
      rmSync(out, { recursive: true, force: true });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  machine.loadavgEnd = machineInfo().loadavgStart;
  const md = formatScale(machine, samples);
  const outDir = join(ROOT, 'reports/bench');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    join(outDir, 'scale.json'),
    `${JSON.stringify({ machine, samples, growth: growth(samples) }, null, 2)}\n`,
  );
  writeFileSync(join(outDir, 'scale.md'), md);
  return md;
}

function validateJunit(file: string): Pick<ScaleSample, 'junitValid' | 'junitValidation'> {
  const r = spawnSync('xmllint', ['--noout', '--huge', '--schema', XSD, file], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const said = `${r.stderr ?? ''}`.trim().split('\n').slice(-3).join(' | ');
  return { junitValid: r.status === 0, junitValidation: r.error ? r.error.message : said };
}

/** Per doubling of hosts: how much time and memory grew (2.0 = linear). */
function growth(samples: ScaleSample[]) {
  return samples.slice(1).map((s, i) => {
    const p = samples[i]!;
    const k = s.hosts / p.hosts;
    return {
      from: p.hosts,
      to: s.hosts,
      hostsFactor: k,
      wallFactor: s.wallMs / p.wallMs,
      inProcessFactor: s.ms.total / p.ms.total,
      cpuFactor: s.cpuMs.total / p.cpuMs.total,
      rssFactor: s.maxRssKiB / p.maxRssKiB,
    };
  });
}

function formatScale(m: MachineInfo, samples: ScaleSample[]): string {
  const mib = (k: number) => `${(k / 1024).toFixed(0)} MiB`;
  const s1 = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const both = (wall: number, cpu: number) => `${s1(wall)} (${s1(cpu)})`;
  const big = samples[samples.length - 1];
  const rows = samples
    .map((s) =>
      [
        s.hosts,
        s.cases,
        s1(s.wallMs),
        s1(s.cpuMs.sinceStart),
        s.loadavg1.toFixed(1),
        s1(s.startupMs),
        both(s.ms.prepare, s.cpuMs.prepare),
        both(s.ms.execute, s.cpuMs.execute),
        both(s.ms.reports, s.cpuMs.reports),
        mib(s.maxRssKiB),
        `${(s.bytes.junit / 2 ** 20).toFixed(1)} MiB`,
        `${(s.bytes.results / 2 ** 20).toFixed(1)} MiB`,
        `${(s.bytes.html / 2 ** 20).toFixed(1)} MiB`,
      ].join(' | '),
    )
    .map((r) => `| ${r} |`);
  const g = growth(samples).map(
    (x) =>
      `| ${x.from} → ${x.to} | ×${x.hostsFactor.toFixed(1)} | ×${x.wallFactor.toFixed(2)} | ` +
      `×${x.inProcessFactor.toFixed(2)} | ×${x.cpuFactor.toFixed(2)} | ×${x.rssFactor.toFixed(2)} |`,
  );
  return [
    `# Scale benchmark: replayed hosts × ${big ? big.cases / big.hosts : '?'} host checks`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB, ${m.os}, Node ${m.node}; load average ${m.loadavgStart} ` +
      `at start, ${m.loadavgEnd ?? '?'} at end.`,
    "Hosts are REPLAYED fakes (scale test only): every one answers from this machine's recorded profile plus the " +
      'host checks answered live by this machine once (saved as a profile folder and loaded as `hwqual run --replay` ' +
      'loads one). No network. Each size runs in its own process: wall time includes start-up; peak RSS is that ' +
      "process's.",
    "The machine is shared with other work: next to wall times stands the process's CPU time (user + system, all " +
      'its threads, GC included), which load from other processes inflates far less than wall time. Phases show ' +
      'wall (CPU).',
    '',
    '| hosts | cases | wall time | CPU time | load (1 min) | start-up | prepare (facts, expansion) | execute ' +
      '(schedule, transcripts) | reports (json, junit, html, md) | peak RSS | junit.xml | results.json | report.html |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    'Growth (×2.00 per doubling = linear):',
    '',
    '| hosts | host factor | wall time | in-process time | CPU time | peak RSS |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...g,
    '',
    ...(big
      ? [
          `Targets at ${big.hosts} hosts: ` +
            `< 15 s (${s1(big.wallMs)} wall: ${big.wallMs < 15_000 ? 'met' : 'NOT met'}; ` +
            `${s1(big.cpuMs.sinceStart)} CPU time, load average ${big.loadavg1.toFixed(1)} on ${m.cores} cores ` +
            `when it started), < 1 GiB (${mib(big.maxRssKiB)}: ${big.maxRssKiB < 1024 * 1024 ? 'met' : 'NOT met'}).`,
          `junit.xml of ${big.cases} cases against the Jenkins JUnit XSD: ` +
            `${big.junitValid ? 'valid' : `INVALID (${big.junitValidation})`}.`,
          `Outcome at ${big.hosts} hosts: ${Object.entries(big.statuses)
            .filter(([, v]) => typeof v === 'number' && v > 0)
            .map(([k, v]) => `${v} ${k}`)
            .join(', ')}.`,
        ]
      : []),
    '',
    'Reproduce: `npm run bench -- scale` (HWQUAL_SCALE_SIZES=250,500 to narrow it).',
    '',
  ].join('\n');
}

function envSizes(): number[] | undefined {
  const v = process.env.HWQUAL_SCALE_SIZES;
  return v ? v.split(',').map(Number) : undefined;
}
