// The current and the next host OS in one pool (issue 16, acceptance 5–7), on one lab shared by the whole file:
// node-a and node-c on this machine's root (Debian 12, QEMU 7.2), node-b on its own Debian 13 root (QEMU 10.0).
// 1. cpu-features + live-migration through `hwqual run` on node-a/node-b: the pool machine type, both directions on
//    it without naming it, machine-refusal with QEMU's own words.  2. `hwqual rehearse`'s bad inputs.
// 3. (npm run test:hostos) a link cut during an evacuation, and Ctrl-C: stopped, every guest located, nothing left.
// 4. The rehearsal: 3 hosts, 2 guests, every host ends on Debian 13 — run last, it re-images node-a and node-c.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labDown, labLink, labUp, readState, type LabState } from '../../src/lab/index.ts';
import { netnsPids } from '../../src/lab/netns.ts';
import type { RunResults } from '../../src/model/result.ts';
import type { RehearsalReport } from '../../src/rehearsal/index.ts';
import { cliInProcess, junitValidates, runCli } from '../support/cli.ts';
import { waitFor } from '../support/wait.ts';

const root = mkdtempSync('/tmp/hwq-roll-');
const dir = join(root, 'lab');
let state: LabState;
let run: RunResults;
const TINY = ['--accel', 'tcg', '--memory', '128'];
const rehearse = (out: string, ...extra: string[]) => [
  ...['rehearse', '--lab', state.labYaml, '--pool', 'local-lab', '--guests', '2', '--to', 'debian-13'],
  ...TINY,
  ...['--out', join(root, out), ...extra],
];
const rehearsal = (out: string) =>
  JSON.parse(readFileSync(join(root, out, 'rehearsal.json'), 'utf8')) as RehearsalReport;

/** Processes in the lab's namespaces that are not its sshds: what a rehearsal must not leave. */
async function leftInLab(): Promise<string[]> {
  const pids = (await Promise.all(state.hosts.map((h) => netnsPids(h.netns!)))).flat();
  const comm = (p: number) => {
    try {
      return readFileSync(`/proc/${p}/comm`, 'utf8').trim();
    } catch {
      return 'sshd'; // ended meanwhile
    }
  };
  return pids.map((p) => `${p} ${comm(p)}`).filter((l) => !l.endsWith(' sshd'));
}

beforeAll(async () => {
  state = await labUp({ dir, hosts: 3, os: { 'node-b': 'debian-13' } });
  const plan = join(root, 'plan.yaml');
  writeFileSync(
    plan,
    [
      'name: mixed-pool',
      'suites: [cpu-features, live-migration]',
      'hosts: { names: [node-a, node-b] }',
      'settings: { accel: tcg }',
      'require: { machineTypes: [pc-q35-10.0] }',
      'migration:',
      '  pairs: [[node-a, node-b], [node-b, node-a]]',
      '  guest: { memoryMiB: 128, wssMiB: 8, dirtyMiBps: 4 }',
      '',
    ].join('\n'),
  );
  // The guest-view cases boot a guest per model: not what the mixed pool is about.
  const r = await runCli([
    'run',
    '--lab',
    state.labYaml,
    '--plan',
    plan,
    '--grep-invert',
    'guest-view',
    '--out',
    join(root, 'run'),
  ]);
  expect(r.code, r.stderr).toBe(1); // require.machineTypes fails on node-a, as it must
  run = JSON.parse(readFileSync(join(root, 'run', 'results.json'), 'utf8')) as RunResults;
}, 900_000); // a fresh clone debootstraps the Debian 13 root first (~1 min here)

afterAll(async () => {
  await labDown(dir).catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
});

const kase = (id: RegExp) => run.cases.find((c) => id.test(c.id))!;
const extra = (host: string) => run.hosts.find((h) => h.name === host)!.facts.extra as Record<string, unknown>;

describe.sequential('current and next host OS in one pool', () => {
  it('cpu-features: pool machine type pc-q35-7.2, a model both QEMUs run; pc-q35-10.0 required fails on node-a', () => {
    const pool = Object.entries(extra('node-a')).find(([k]) => k.startsWith('cpuPool.'))![1] as {
      hosts: string[];
      model?: string;
      machineType?: string;
      rows: Array<{ host: string; qemuVersion: string; newestQ35: string }>;
    };
    expect(pool.hosts).toEqual(['node-a', 'node-b']);
    expect(pool.machineType).toBe('pc-q35-7.2');
    expect(pool.model).toBeTruthy();
    expect(pool.rows.map((r) => [r.host, r.qemuVersion.split('.')[0], r.newestQ35])).toEqual([
      ['node-a', '7', 'pc-q35-7.2'],
      ['node-b', '10', 'pc-q35-10.0'],
    ]);
    expect(kase(/pool-baseline.*@node-a$/).status).toBe('passed');
    const a = kase(/^cpu-features\/qemu-models@node-a$/);
    expect(a.status).toBe('failed');
    expect(a.message).toMatch(/^pc-q35-10\.0 is not offered by QEMU 7\.2\.\d+ on node-a/);
    expect(kase(/^cpu-features\/qemu-models@node-b$/).status).toBe('passed');
  });

  it('live-migration: 12→13 and 13→12 pass on the pool machine type the plan omits; machine-refusal', () => {
    for (const [from, to] of [
      ['node-a', 'node-b'],
      ['node-b', 'node-a'],
    ]) {
      const c = kase(new RegExp(`^live-migration/migrate\\[from=${from},to=${to},strategy=precopy\\]`));
      expect(c.status, c.message).toBe('passed');
      expect(c.assertions.map((x) => [x.name.replace(/^\S+: /, ''), x.passed])).toEqual(
        expect.arrayContaining([
          ['integrity check passes', true],
          ['heartbeat counter has no reset', true],
        ]),
      );
      // QEMU 7.2 as the source sometimes reads total-time and downtime 0 at `completed` (issue 20 keeps them):
      // here they must be there; the bytes sent and the guest-observed blackout are never 0.
      expect(c.metrics.total_ms).toBeGreaterThanOrEqual(0);
      expect(c.metrics.downtime_ms).toBeGreaterThanOrEqual(0);
      expect(c.metrics.transferred_bytes).toBeGreaterThan(64 * 2 ** 20);
      expect(c.metrics.blackout_ms).toBeGreaterThan(0);
      const json = JSON.parse(
        readFileSync(join(root, 'run', c.artifacts.find((f) => f.name === 'migration.json')!.path), 'utf8'),
      );
      expect(json.machine).toMatchObject({ machine: 'pc-q35-7.2', source: 'pool baseline of node-a,node-b' });
      expect(json.cpuModel.source).toBe('pool baseline of node-a,node-b');
      expect(extra(from)['migration.machine']).toEqual(json.machine);
    }
    // Listed once, from the newer QEMU to the older; its checks each say what they saw.
    const refusals = run.cases.filter((c) => c.caseId === 'machine-refusal');
    expect(refusals.map((c) => [c.id, c.status])).toEqual([
      ['live-migration/machine-refusal[from=node-b,to=node-a]@node-b', 'passed'],
    ]);
    const said = Object.fromEntries(refusals[0]!.assertions.map((x) => [x.name, x.actual]));
    expect(said['QEMU on node-a refuses pc-q35-10.0 as predicted']).toMatch(/unsupported machine type/);
    expect(said['migrate was never sent']).toBe('query-migrate on node-b: {}');
    expect(said['the guest keeps running on node-b']).toMatch(/^query-status running; heartbeat continues/);
    expect(said['nothing is left on node-a']).toMatch(/^no QEMU and no work dir/);
    expect(extra('node-b')['migration.machineRefusal.node-b->node-a']).toMatchObject({
      machine: 'pc-q35-10.0',
      predicted: expect.stringMatching(/^pc-q35-10\.0 is not supported by QEMU 7\.2\.\d+ on node-a$/),
    });
  });

  it('rehearse: bad input exits 2 before any host is contacted', async () => {
    const bare = join(root, 'not-a-lab');
    mkdirSync(bare);
    copyFileSync(state.labYaml, join(bare, 'lab.yaml'));
    const cases: Array<[string[], RegExp]> = [
      [['--pool', 'nope'], /--pool nope: no host of the lab is in it; a rolling upgrade needs 2 hosts or more/],
      [['--to', 'debian-99'], /--to debian-99: unknown release \(known: debian-12, debian-13/],
      [['--guests', '0'], /--guests: expected a whole number ≥ 1, got '0'/],
      [['--guests', '100000'], /--guests 100000: .* need ~\d+ MiB .* share this machine's \d+ MiB available/],
      [['--lab', join(bare, 'lab.yaml')], /is not a lab-in-a-box \(no state\.json beside it\)/],
    ];
    for (const [args, message] of cases) {
      const argv = rehearse('bad');
      for (let i = 0; i < args.length; i += 2) argv[argv.indexOf(args[i]!) + 1] = args[i + 1]!;
      const r = await cliInProcess(argv);
      expect([r.code, r.stderr], args.join(' ')).toEqual([2, expect.stringMatching(message)]);
    }
  });

  describe.runIf(process.env.HWQUAL_HOSTOS === '1')('a rehearsal that stops (npm run test:hostos)', () => {
    it('a link cut on the target during an evacuation: exit 1, every guest located, nothing left', async () => {
      // 8 MiB/s: the evacuation takes seconds, the cut lands inside it.
      const cli = runCli(rehearse('cut', '--max-bandwidth', '8'));
      await waitFor(() => cli.output().includes('g1: migrate node-a → node-c'), 'the evacuation of node-a', 180_000);
      await labLink(dir, 'node-c', 'down');
      setTimeout(() => void labLink(dir, 'node-c', 'up'), 8000);
      const r = await cli;
      expect(r.code, r.stdout + r.stderr).toBe(1);
      const rep = rehearsal('cut');
      expect(rep.outcome).toBe('failed');
      const evac = rep.steps.find((s) => s.kind === 'evacuate')!;
      expect(evac.status).toBe('failed');
      expect(evac.hops![0]).toMatchObject({ guest: 'g1', from: 'node-a', to: 'node-c', outcome: 'stalled' });
      expect(rep.steps.at(-1)!.kind).toBe('locate');
      expect(rep.guests.map((g) => [g.name, g.located?.host, g.located?.heartbeat])).toEqual([
        ['g1', 'node-a', true],
        ['g2', 'node-b', true],
      ]);
      expect(r.stdout).toContain('g1: runs on node-a (heartbeat');
      expect(junitValidates(join(root, 'cut', 'junit.xml')).ok).toBe(true);
      expect(await leftInLab()).toEqual([]);
      expect(readState(dir)!.hosts.map((h) => h.root?.release ?? 'machine')).toEqual([
        'machine',
        'debian-13',
        'machine',
      ]);
    }, 300_000);

    it('Ctrl-C during an evacuation: exit 130, the migration settles, every guest located, nothing left', async () => {
      const cli = runCli(rehearse('sigint', '--max-bandwidth', '8'));
      await waitFor(() => cli.output().includes('g1: migrate node-a → node-c'), 'the evacuation of node-a', 180_000);
      cli.kill('SIGINT');
      const r = await cli;
      expect(r.code, r.stdout + r.stderr).toBe(130);
      const rep = rehearsal('sigint');
      expect(rep.outcome).toBe('interrupted');
      expect(rep.guests.every((g) => g.located?.heartbeat && g.located.status === 'running')).toBe(true);
      expect(r.stdout).toMatch(/g1: runs on node-[ac] \(heartbeat/);
      expect(await leftInLab()).toEqual([]);
    }, 300_000);
  });

  it('rehearse: 3 hosts, 2 guests — every host ends on debian-13, every guest runs, invariants hold', async () => {
    const t0 = performance.now();
    const r = await runCli(rehearse('rehearsal'));
    process.stderr.write(`rolling-upgrade: rehearsal in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const rep = rehearsal('rehearsal');
    expect(rep.hosts.map((h) => [h.name, h.before, h.after])).toEqual([
      ['node-a', 'machine', 'debian-13'],
      ['node-b', 'debian-13', 'debian-13'],
      ['node-c', 'machine', 'debian-13'],
    ]);
    expect(rep.invariants.map((i) => [i.name, i.ok])).toEqual([
      ['no guest was on a host while it was re-imaged', true],
      ['no heartbeat counter ever reset', true],
      ['every guest ends running', true],
      ['every host runs debian-13', true],
    ]);
    expect(rep.steps.map((s) => `${s.kind} ${s.host} ${s.status}`)).toEqual([
      'boot local-lab passed',
      'host-os local-lab passed',
      'evacuate node-a passed',
      'reimage node-a passed',
      'host-os node-a passed',
      'refill node-a passed',
      'skip node-b skipped',
      'evacuate node-c passed',
      'reimage node-c passed',
      'host-os node-c passed',
      'refill node-c skipped',
      'locate local-lab passed',
    ]);
    // g1 left node-a for node-c (QEMU 7.2 → 7.2) and came back once node-a ran Debian 13 (7.2 → 10.0).
    const hops = rep.steps.flatMap((s) => s.hops ?? []);
    expect(hops.map((h) => [h.guest, h.from, h.to, h.outcome])).toEqual([
      ['g1', 'node-a', 'node-c', 'completed'],
      ['g1', 'node-c', 'node-a', 'completed'],
    ]);
    for (const h of hops) expect(h.downtimeMs).toBeGreaterThanOrEqual(0);
    expect(rep.steps[4]!.hostOs).toMatchObject({ os: '13', qemu: expect.stringMatching(/^10\.0\./) });
    expect(rep.guest.machine?.machine).toBe('pc-q35-7.2');
    expect(readState(dir)!.hosts.map((h) => h.root?.release)).toEqual(['debian-13', 'debian-13', 'debian-13']);
    const junit = join(root, 'rehearsal', 'junit.xml');
    expect(junitValidates(junit).ok).toBe(true);
    expect(readFileSync(junit, 'utf8').match(/<testcase /g)).toHaveLength(rep.steps.length + rep.invariants.length);
    expect(readFileSync(join(root, 'rehearsal', 'rehearsal.md'), 'utf8')).toContain('**passed**');
    expect(await leftInLab()).toEqual([]);
  }, 600_000);
});
