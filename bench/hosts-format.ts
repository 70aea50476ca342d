// reports/bench/hosts.md from the hosts bench's data. Pure.
import { median, type MachineInfo } from './hosts-machine.ts';
import type { Measured } from './hosts-measure.ts';

export interface RunSample extends Measured {
  hosts: number;
  round: number;
  runner: string;
  correct: boolean;
  problem?: string;
  why?: string[];
  output?: string;
  timings?: string;
}
export interface ProofRow {
  runner: string;
  broken: string;
  exitAllHold: number | null;
  exitOneBroken: number | null;
  proven: boolean;
  problem?: string;
}

export interface HostsReport {
  machine: MachineInfo;
  startedAt: string;
  endedAt?: string;
  checksFile: string;
  checks: number;
  /** Checks that do not hold on this machine (every runner must report exactly these). */
  failingHere: string[];
  rounds: number;
  sizes: number[];
  runners: Array<{ name: string; what: string }>;
  labs: Array<{ hosts: number; mode: string; fallbackReason?: string }>;
  samples: RunSample[];
  proofs: ProofRow[];
}

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export function formatHosts(r: HostsReport): string {
  const m = r.machine;
  const rows = summarize(r);
  const table = [
    '| hosts | runner | median wall | × hwqual | peak memory (PSS sum) | peak RSS sum | correct runs |',
    '| ---: | --- | ---: | ---: | ---: | ---: | :---: |',
    ...rows.map(
      (x) =>
        `| ${x.hosts} | ${x.runner} | ${secs(x.wallMs)} ` +
        `| ${x.ratioToHwqual === null ? '—' : `${x.ratioToHwqual.toFixed(2)}×`} | ${x.peakPssMiB.toFixed(0)} MiB ` +
        `| ${x.peakRssMiB.toFixed(0)} MiB | ${x.correct}/${x.rounds} |`,
    ),
  ];
  const at = (hosts: number, name: string) => rows.find((x) => x.hosts === hosts && x.runner === name);
  const big = Math.max(...r.sizes);
  const targets = [`At ${big} hosts:`];
  for (const name of ['testinfra-ssh', 'testinfra-paramiko', 'ansible']) {
    const x = at(big, name);
    if (!x?.ratioToHwqual) continue;
    const fl = at(big, 'floor');
    // No runner can beat the floor: when the competitor is under 5× the floor, 5× faster than it is out of reach.
    const reach = fl ? x.wallMs / fl.wallMs : undefined;
    const bound =
      reach !== undefined && reach < 5
        ? `; out of reach here: ${name} takes ${secs(x.wallMs)} = ${reach.toFixed(1)}× the floor's ` +
          `${secs(fl!.wallMs)}, so even a runner as fast as the floor would be only ${reach.toFixed(1)}× faster`
        : '';
    targets.push(
      `- hwqual is ${x.ratioToHwqual.toFixed(1)}× faster than ${name} ` +
        `(target ≥ 5×: ${x.ratioToHwqual >= 5 ? 'met' : 'NOT met'}${bound})`,
    );
  }
  const floor = at(big, 'floor');
  if (floor?.ratioToHwqual) {
    const over = 1 / floor.ratioToHwqual;
    targets.push(
      `- hwqual takes ${over.toFixed(2)}× the floor's time (target ≤ 1.5×: ${over <= 1.5 ? 'met' : 'NOT met'})`,
    );
  }
  // Where hwqual's time went (its own --timings), in the run closest to its median at the largest lab.
  const hw = r.samples.filter((s) => s.hosts === big && s.runner === 'hwqual' && s.timings);
  const mid = at(big, 'hwqual');
  const typical = mid && hw.sort((a, b) => Math.abs(a.wallMs - mid.wallMs) - Math.abs(b.wallMs - mid.wallMs))[0];
  if (typical)
    targets.push(
      '',
      `hwqual's phases at ${big} hosts (\`hwqual run --timings\`, the run nearest the median): ${typical.timings}.`,
    );
  const proofs = [
    '| runner | all checks hold → exit | one check broken → exit | proven |',
    '| --- | ---: | ---: | :---: |',
    ...r.proofs.map(
      (p) =>
        `| ${p.runner} | ${p.exitAllHold} | ${p.exitOneBroken} (${p.broken}) ` +
        `| ${p.proven ? 'yes' : `NO: ${p.problem}`} |`,
    ),
  ];
  const wrong = r.samples.filter((s) => !s.correct);
  const labs = r.labs
    .map((l) => `${l.hosts} host(s) ${l.mode}${l.fallbackReason ? ` (${l.fallbackReason})` : ''}`)
    .join('; ');
  return [
    `# Hosts benchmark: ${r.checks} host checks on ${r.sizes.join(', ')} lab hosts`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB, ${m.os}, kernel ${m.kernel}, Node ${m.node}. Load average ` +
      `at start ${m.loadavgStart}, at end ${m.loadavgEnd ?? '?'} (a shared machine: absolute times vary with it; ` +
      `ratios are from the same run, runners alternating).`,
    `Labs: ${labs}. ${r.rounds} rounds, the runners' order rotated each round. ${r.startedAt} – ${r.endedAt ?? '?'}.`,
    `Checks: ${r.checksFile}. ` +
      `Failing on this machine (every run must report exactly these): ${r.failingHere.join(', ') || 'none'}.`,
    'Peak memory: the whole process tree of each runner (including daemonised ssh ControlMasters), sampled every 50 ' +
      'ms from /proc (cgroup v2 has no memory controller here); PSS counts shared pages once.',
    '',
    ...table,
    '',
    ...targets,
    '',
    'Runners:',
    ...r.runners.map((x) => `- **${x.name}**: ${x.what}`),
    '',
    '## Exit codes (proven once per runner on the smallest lab)',
    '',
    ...proofs,
    ...(wrong.length
      ? [
          '',
          '## Runs with a wrong outcome',
          '',
          ...wrong.map(
            (s) =>
              `- ${s.hosts} hosts, round ${s.round}, ${s.runner}: ${s.problem}` +
              (s.why?.length ? `; why: ${s.why.map((w) => `\`${w.replace(/`/g, "'")}\``).join('; ')}` : ''),
          ),
        ]
      : []),
    '',
    `Reproduce: \`npm run bench -- hosts\` (HWQUAL_BENCH_ROUNDS, HWQUAL_BENCH_SIZES, HWQUAL_BENCH_RUNNERS to narrow ` +
      `it; HWQUAL_BENCH_PROOF=0 skips the exit-code proofs, HWQUAL_BENCH_OUT=DIR writes the report elsewhere).`,
    '',
  ].join('\n');
}

/** Per size and runner: rounds, correct rounds, median wall time, peak memory and the ratio to hwqual. */
export function summarize(report: HostsReport) {
  const rows = [];
  for (const hosts of report.sizes) {
    const of = (name: string) => report.samples.filter((s) => s.hosts === hosts && s.runner === name);
    const base = median(of('hwqual').map((s) => s.wallMs));
    for (const r of report.runners) {
      const ss = of(r.name);
      if (!ss.length) continue;
      const wallMs = median(ss.map((s) => s.wallMs));
      rows.push({
        hosts,
        runner: r.name,
        rounds: ss.length,
        correct: ss.filter((s) => s.correct).length,
        wallMs,
        peakPssMiB: Math.max(...ss.map((s) => s.peakPssKiB)) / 1024,
        peakRssMiB: Math.max(...ss.map((s) => s.peakRssKiB)) / 1024,
        ratioToHwqual: base ? wallMs / base : null,
      });
    }
  }
  return rows;
}
