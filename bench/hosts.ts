// `npm run bench -- hosts`: the 30 host checks of fixtures/host-checks.json on 1, 4, 16 and 64 lab-in-a-box
// hosts, by hwqual and by its competitors (pytest-testinfra, Ansible, raw OpenSSH, the one-ssh-per-host floor),
// several rounds with the runners' order rotated each round. Above 16 hosts only hwqual (default facts and all
// facts) and the floor run (HWQUAL_BENCH_ALL_SIZES=1 runs every runner there too: Ansible alone takes ~12 minutes
// a round at 64 hosts). Each run is checked: the failed checks it reports
// must be the ones that fail on this machine, and its exit code non-zero exactly when one failed. Once per runner
// (on the smallest lab) the exit code is proven both ways: all-holding checks → 0, one check broken → non-zero.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { labDown, labUp, type LabState } from '../src/lab/index.ts';
import { hostChecksPath, loadHostChecks, type HostCheck } from '../suites/host-checks/checks-file.ts';
import { removeControlDirs, type BenchLab } from './competitors/ssh-files.ts';
import {
  formatHosts,
  LARGE,
  LARGE_RUNNERS,
  summarize,
  type HostsReport,
  type ProofRow,
  type RunSample,
} from './hosts-format.ts';
import { measure } from './hosts-measure.ts';
import { availableRunners, type Outcome, type Runner } from './hosts-runners.ts';
import { machineInfo } from './hosts-machine.ts';

const ROOT = resolve(import.meta.dirname, '..');
const allSizes = process.env.HWQUAL_BENCH_ALL_SIZES === '1';

export interface HostsOptions {
  sizes?: number[];
  rounds?: number;
  runners?: string[];
}

export async function benchHosts(o: HostsOptions = {}): Promise<string> {
  const sizes = o.sizes ?? envList('HWQUAL_BENCH_SIZES') ?? [1, 4, 16, 64];
  const rounds = o.rounds ?? Number(process.env.HWQUAL_BENCH_ROUNDS ?? 3);
  // HWQUAL_BENCH_PROOF=0 skips the exit-code proofs (a quick look at one size); HWQUAL_BENCH_OUT writes elsewhere
  // than reports/bench (so a narrowed run does not overwrite the committed full report).
  const proofs = process.env.HWQUAL_BENCH_PROOF !== '0';
  const outDir = resolve(process.env.HWQUAL_BENCH_OUT ?? join(ROOT, 'reports/bench'));
  execFileSync('bash', [join(ROOT, 'bench/competitors/install.sh')], { stdio: 'inherit' });
  const wanted = o.runners ?? process.env.HWQUAL_BENCH_RUNNERS?.split(',');
  const runners = availableRunners().filter((r) => !wanted || wanted.includes(r.name));
  const checksFile = hostChecksPath();
  const checks = loadHostChecks(checksFile);
  const root = mkdtempSync('/tmp/hwqual-bench-hosts-');
  const report: HostsReport = {
    machine: machineInfo(),
    startedAt: new Date().toISOString(),
    checksFile,
    checks: checks.length,
    failingHere: [],
    rounds,
    sizes,
    runners: runners.map((r) => ({ name: r.name, what: r.what })),
    samples: [],
    proofs: [],
    labs: [],
  };
  try {
    for (const n of sizes) {
      const dir = join(root, `lab-${n}`);
      const state = await upLab(dir, n);
      report.labs.push({
        hosts: n,
        mode: state.mode,
        ...(state.fallbackReason && { fallbackReason: state.fallbackReason }),
      });
      const lab = benchLab(state);
      // What fails here, asked while the lab's sshds run (the hosts share this machine's kernel and files).
      const failingHere = checks
        .filter((c) => spawnSync('sh', ['-c', c.cmd], { stdio: 'ignore' }).status !== 0)
        .map((c) => c.id);
      report.failingHere = [...new Set([...report.failingHere, ...failingHere])];
      try {
        if (proofs && n === Math.min(...sizes))
          report.proofs.push(...(await proveExitCodes(runners, lab, checks, failingHere, join(root, `proof-${n}`))));
        const here = runners.filter((x) => n <= LARGE || LARGE_RUNNERS.includes(x.name) || allSizes);
        for (let r = 0; r < rounds; r++) {
          const order = rotate(here, r);
          for (const runner of order) {
            const s = await runOnce(
              runner,
              lab,
              checks,
              checksFile,
              failingHere,
              join(root, `run-${n}-${r}-${runner.name}`),
            );
            report.samples.push({ hosts: n, round: r + 1, ...s });
            process.stderr.write(
              `bench hosts: ${n} host(s) round ${r + 1} ${runner.name}: ` +
                `${(s.wallMs / 1000).toFixed(2)} s${s.correct ? '' : ` WRONG (${s.problem})`}\n`,
            );
          }
        }
      } finally {
        await labDown(dir);
      }
    }
  } finally {
    if (process.env.HWQUAL_BENCH_KEEP === '1') process.stderr.write(`bench hosts: runs kept in ${root}\n`);
    else rmSync(root, { recursive: true, force: true });
    removeControlDirs();
  }
  report.endedAt = new Date().toISOString();
  report.machine.loadavgEnd = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const md = formatHosts(report);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'hosts.json'), `${JSON.stringify({ ...report, summary: summarize(report) }, null, 2)}\n`);
  writeFileSync(join(outDir, 'hosts.md'), md);
  return md;
}

async function runOnce(
  runner: Runner,
  lab: BenchLab,
  checks: HostCheck[],
  checksFile: string,
  failing: string[],
  dir: string,
): Promise<Omit<RunSample, 'hosts' | 'round'>> {
  mkdirSync(dir, { recursive: true });
  const input = { dir, lab, checks, checksFile };
  const spec = runner.prepare(input);
  const m = await measure({ ...spec, stdoutFile: join(dir, 'stdout.txt'), stderrFile: join(dir, 'stderr.txt') });
  const problem = judge(runner, input, m.exitCode, failing);
  const tail = (f: string) => readFileSync(join(dir, f), 'utf8').trim().split('\n').slice(-6).join('\n');
  const timings = /^hwqual: timings: (.*)$/m.exec(readFileSync(join(dir, 'stderr.txt'), 'utf8'))?.[1];
  return {
    runner: runner.name,
    ...m,
    correct: !problem,
    ...(timings && { timings }),
    ...(problem && {
      problem,
      why: whyWrong(runner, input),
      output: `${tail('stdout.txt')}\n--- stderr\n${tail('stderr.txt')}`,
    }),
  };
}

/**
 * A wrong run's causes: the runner's own error messages, else error-looking lines of its output (first few, once each).
 */
function whyWrong(runner: Runner, input: Parameters<Runner['prepare']>[0]): string[] {
  const read = (f: string) => {
    try {
      return readFileSync(join(input.dir, f), 'utf8');
    } catch {
      return '';
    }
  };
  let lines: string[] = [];
  try {
    lines = runner.explain?.(input, read('stdout.txt')) ?? [];
  } catch {
    /* fall back to the output */
  }
  if (!lines.length) {
    lines = `${read('stdout.txt')}\n${read('stderr.txt')}`
      .split('\n')
      .filter(
        (l) =>
          /^hwqual: |error|refused|reset|closed|timed? ?out|unreachable|MaxStartups|exit(_status=| )255/i.test(l) &&
          !/AssertionError/.test(l),
      );
  }
  const short = lines.map((l) => l.trim().replace(/^E\s+/, '').slice(0, 300));
  return [...new Set(short)].slice(0, 5);
}

/** Why a run's outcome is wrong, or undefined when its failed checks and exit code are the expected ones. */
function judge(
  runner: Runner,
  input: Parameters<Runner['prepare']>[0],
  exitCode: number | null,
  failing: string[],
): string | undefined {
  let outcome: Outcome;
  try {
    outcome = runner.outcome(input, readFileSync(join(input.dir, 'stdout.txt'), 'utf8'));
  } catch (err) {
    return `no outcome: ${(err as Error).message}`;
  }
  const want = [...failing].sort().join(',');
  for (const h of input.lab.hosts) {
    const got = [...(outcome.get(h.name) ?? [])].sort().join(',');
    if (got !== want) return `${h.name}: failed [${got}], expected [${want}]`;
  }
  if ((exitCode !== 0) !== failing.length > 0) return `exit code ${exitCode} with ${failing.length} failing check(s)`;
  return undefined;
}

/** Per runner: the checks that hold here → exit 0; the same with one broken (inverted) → non-zero, that one failed. */
async function proveExitCodes(
  runners: Runner[],
  lab: BenchLab,
  checks: HostCheck[],
  failing: string[],
  root: string,
): Promise<ProofRow[]> {
  mkdirSync(root, { recursive: true });
  const holding = checks.filter((c) => !failing.includes(c.id));
  const victim = holding[0]!;
  const broken = holding.map((c) => (c === victim ? { id: c.id, cmd: `! ( ${c.cmd} )` } : c));
  const files = { holding: join(root, 'holding.json'), broken: join(root, 'broken.json') };
  writeFileSync(files.holding, JSON.stringify(holding));
  writeFileSync(files.broken, JSON.stringify(broken));
  const rows: ProofRow[] = [];
  for (const runner of runners) {
    const ok = await runOnce(runner, lab, holding, files.holding, [], join(root, `${runner.name}-holding`));
    const bad = await runOnce(runner, lab, broken, files.broken, [victim.id], join(root, `${runner.name}-broken`));
    rows.push({
      runner: runner.name,
      broken: victim.id,
      exitAllHold: ok.exitCode,
      exitOneBroken: bad.exitCode,
      proven: ok.correct && bad.correct,
      ...((!ok.correct || !bad.correct) && { problem: [ok.problem, bad.problem].filter(Boolean).join('; ') }),
    });
  }
  return rows;
}

async function upLab(dir: string, n: number): Promise<LabState> {
  try {
    return await labUp({ dir, hosts: n });
  } catch (err) {
    process.stderr.write(
      `bench hosts: ${n} hosts in namespaces failed (${(err as Error).message}); using loopback sshds\n`,
    );
    await labDown(dir).catch(() => undefined);
    return labUp({ dir, hosts: n, loopback: true });
  }
}

function benchLab(s: LabState): BenchLab {
  return {
    hosts: s.hosts.map((h) => ({ name: h.name, address: h.address, port: h.port })),
    user: s.user,
    identityFile: s.identityFile,
    knownHosts: s.knownHosts,
    labYaml: s.labYaml,
  };
}

/** Round r starts at runner r (mod n), and odd rounds go backwards: every runner runs early and late. */
function rotate<T>(list: T[], r: number): T[] {
  const k = r % list.length;
  const turned = [...list.slice(k), ...list.slice(0, k)];
  return r % 2 ? turned.reverse() : turned;
}

function envList(name: string): number[] | undefined {
  const v = process.env[name];
  return v ? v.split(',').map(Number) : undefined;
}
