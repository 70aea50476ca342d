// reports/bench/hosts.md from the hosts bench's data. Pure.
import { type MachineInfo, median, reportProvenance } from './hosts-machine.ts';
import type { Measured } from './hosts-measure.ts';

/** Labs larger than this run only LARGE_RUNNERS (unless HWQUAL_BENCH_ALL_SIZES=1). */
export const LARGE = 16;
export const LARGE_RUNNERS = ['hwqual', 'hwqual-all-facts', 'floor'];

/** hwqual with its default facts against the one-ssh-per-host floor, at 16 and 64 hosts. */
const FLOOR_TARGET = 1.1;

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
  const targets: string[] = [];
  // hwqual (default facts) against the floor, at 16 and at the largest lab: ≤ 1.1×.
  for (const hosts of [...new Set([16, big])].filter((h) => r.sizes.includes(h))) {
    const floor = at(hosts, 'floor');
    if (!floor?.ratioToHwqual) continue;
    const over = 1 / floor.ratioToHwqual;
    const all = at(hosts, 'hwqual-all-facts');
    targets.push(
      `- ${hosts} hosts: hwqual (default facts) takes ${over.toFixed(2)}× the floor's time — ` +
        `target ≤ ${FLOOR_TARGET}×: ${over <= FLOOR_TARGET ? 'met' : 'not met'}` +
        `${all?.ratioToHwqual ? ` (with every fact group: ${(all.wallMs / floor.wallMs).toFixed(2)}× the floor)` : ''}`,
    );
  }
  const competitorsAt = Math.max(...r.sizes.filter((h) => at(h, 'ansible') || at(h, 'testinfra-ssh')), 0);
  for (const name of ['testinfra-ssh', 'testinfra-paramiko', 'ansible']) {
    const x = at(competitorsAt, name);
    if (!x?.ratioToHwqual) continue;
    const fl = at(competitorsAt, 'floor');
    // No runner beats the floor: when the competitor takes under 5× the floor, 5× faster than it is out of reach.
    // One word per target: met, out of reach (with the bound), or not met.
    const reach = fl ? x.wallMs / fl.wallMs : undefined;
    const verdict =
      x.ratioToHwqual >= 5
        ? 'met'
        : reach !== undefined && reach < 5
          ? `out of reach here — ${name} takes ${secs(x.wallMs)} = ${reach.toFixed(1)}× the floor's ` +
            `${secs(fl!.wallMs)}, so a runner as fast as the floor would be only ${reach.toFixed(1)}× faster`
          : 'not met';
    targets.push(
      `- ${competitorsAt} hosts: hwqual is ${x.ratioToHwqual.toFixed(1)}× faster than ${name} — ` +
        `target ≥ 5×: ${verdict}`,
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
    ...reportProvenance(m, new Date(r.startedAt), new Date(r.endedAt ?? r.startedAt)),
    'Absolute times vary with the load; ratios are from the same run, the runners alternating.',
    `Labs: ${labs}. ${r.rounds} rounds, the runners' order rotated each round. Above ${LARGE} hosts only ` +
      `${LARGE_RUNNERS.join(', ')} run (Ansible alone would take ~12 minutes a round at 64).`,
    `Checks: ${r.checksFile}. ` +
      `Failing on this machine (every run must report exactly these): ${r.failingHere.join(', ') || 'none'}.`,
    'Peak memory: the whole process tree of each runner (including daemonised ssh ControlMasters), sampled every 50 ' +
      'ms from /proc (cgroup v2 has no memory controller here); PSS counts shared pages once.',
    '',
    ...table,
    '',
    'Targets:',
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
