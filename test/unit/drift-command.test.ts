import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/model/result.ts';
import { labInABoxRoots } from '../../src/cli/drift-input.ts';
import { CMD } from '../../src/probe/commands.ts';
import { hwqualInProcess as hwqual } from '../support/main.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { editProfile } from '../support/profile-edit.ts';
import { validateXsd } from './report-xml-helpers.ts';
import { tempDir } from '../support/temp-dir.ts';

/**
 * `hwqual drift` through the real CLI entry, on replayed copies of this machine's recorded profile: the qualified
 * run is a real `hwqual run` (host-os + server-inventory, the demo plan); each check edits a line of the profile.
 */
const tmp = tempDir('hwqual-drift-cli-');
const RECORDED = resolve(PROJECT_ROOT, 'fixtures/hosts/this-machine-debian12');
const PLAN = resolve(PROJECT_ROOT, 'fixtures/plans/demo.yaml');
const LOCAL = resolve(PROJECT_ROOT, 'fixtures/labs/local.yaml');
const LAB = join(tmp, 'lab.yaml');
const QUALIFIED = join(tmp, 'qualified');
let n = 0;
const out = () => join(tmp, `drift-${++n}`);
const readResults = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as RunResults;

beforeAll(async () => {
  writeFileSync(
    LAB,
    [
      'hosts:',
      '  - { name: local, address: local, labels: { pool: local } }',
      '  - { name: stranger, address: local, labels: { hardware: gen9 } }',
      `  - { name: gone, address: 127.0.0.1, port: 1, knownHosts: ${join(tmp, 'known_hosts')}, ssh: { ` +
        `connectTimeoutSec: 5 } }`,
      '',
    ].join('\n'),
  );
  const r = await hwqual('run', '--lab', LOCAL, '--plan', PLAN, '--replay', `local=${RECORDED}`, '--out', QUALIFIED);
  expect(r.code, r.err).toBe(1); // this machine has no /dev/kvm: not qualified, but a run with every fact
  expect(readResults(QUALIFIED).cases.length).toBeGreaterThan(20);
}, 60_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const drift = (...args: string[]) => hwqual('drift', '--qualified', QUALIFIED, '--lab', LAB, ...args);

describe('hwqual drift', () => {
  it('the same host: exit 0, one passed case per host, XSD-valid JUnit, drift.json', async () => {
    const dir = out();
    const r = await drift('--replay', `local=${RECORDED}`, '--out', dir);
    expect(r.code, r.err).toBe(0);
    const res = readResults(dir);
    expect(res.cases.map((c) => [c.id, c.status])).toEqual([['drift/drift@local', 'passed']]);
    expect(res.run.planned).toEqual([{ suite: 'drift', host: 'local' }]);
    expect(res.run).toMatchObject({ plan: 'drift since demo', planFile: 'results.json' });
    expect(validateXsd(join(dir, 'junit.xml')).ok).toBe(true);
    const d = JSON.parse(readFileSync(join(dir, 'cases/drift_drift_local/drift.json'), 'utf8'));
    expect(d).toMatchObject({ host: 'local', rows: [], classes: [], affected: [] });
  });

  it('a new hostname is cosmetic: reported, and the host still passes', async () => {
    const edited = editProfile(RECORDED, join(tmp, 'renamed'), (c) => c.replace(CMD.hostname, /.+/, 'vm-renamed'));
    const dir = out();
    const r = await drift('--replay', `local=${edited}`, '--out', dir);
    expect(r.code, r.err).toBe(0);
    const c = readResults(dir).cases[0]!;
    expect(c.status).toBe('passed');
    expect(c.assertions).toEqual([
      expect.objectContaining({ name: 'cosmetic: hostname', passed: true, expected: 'vm', actual: 'vm-renamed' }),
    ]);
    expect(readFileSync(join(dir, 'transcripts/local.txt'), 'utf8')).toMatch(/hostname\s+vm\s+vm-renamed\s+cosmetic/);
  });

  it('microcode and QEMU changed: exit 1 naming both with their classes, and the command to re-run', async () => {
    const edited = editProfile(RECORDED, join(tmp, 'updated'), (c) => c.microcode('0xa0011d5').qemuVersion('8.2.2'));
    const dir = out();
    const r = await drift('--replay', `local=${edited}`, '--out', dir);
    expect(r.code, r.err).toBe(1);
    const c = readResults(dir).cases[0]!;
    expect(c.status).toBe('failed');
    expect(c.message).toContain('- cpu-visible: cpu.microcode absent → 0xa0011d5');
    expect(c.message).toContain('- hypervisor: qemu.version 7.2.22 → 8.2.2');
    // without --plan, and a qualified run not started from here: a placeholder names the run's plan and its hash
    const sha = readResults(QUALIFIED).run.planSha256.slice(0, 12);
    expect(r.out).toContain(
      `re-run what it invalidated:\n  hwqual run --lab ${LAB} --plan '<the plan of run ${QUALIFIED}: demo.yaml, ` +
        `sha256 ${sha}…>' --grep '^(?:host-os\\/os-release@local|`,
    );
    const withPlan = await drift('--plan', PLAN, '--replay', `local=${edited}`, '--out', out());
    expect(withPlan.out).toContain(`  hwqual run --lab ${LAB} --plan ${PLAN} --grep '^(?:host-os`);
    const ids = (readResults(dir).hosts[0]!.facts.extra!.drift as { affected: string[] }).affected;
    const qualifiedIds = readResults(QUALIFIED).cases.map((x) => x.id);
    expect(ids).toEqual(qualifiedIds.filter((id) => id.startsWith('host-os/'))); // server-inventory: not these classes
    expect(validateXsd(join(dir, 'junit.xml')).ok).toBe(true);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toContain('qemu.version 7.2.22 → 8.2.2');
  });

  it('a host never qualified, with no qualified host of its hardware: fails "never qualified"', async () => {
    const dir = out();
    const r = await drift('--hosts', 'stranger', '--replay', `stranger=${RECORDED}`, '--out', dir);
    expect(r.code).toBe(1);
    expect(readResults(dir).cases[0]).toMatchObject({
      status: 'failed',
      message: expect.stringMatching(/^never qualified: stranger is not in the qualified run .*hardware=gen9/),
    });
  });

  it('facts the qualified run did not gather: "cannot verify <class>: not recorded in the qualified run"', async () => {
    const partial = join(tmp, 'qualified-partial');
    const r0 = await hwqual(
      ...['run', '--lab', LOCAL, '--plan', PLAN, '--replay', `local=${RECORDED}`, '--facts', 'identity,cpu'],
      ...['--out', partial],
    );
    expect(r0.code).not.toBe(2);
    const dir = out();
    const r = await hwqual(
      'drift',
      '--qualified',
      partial,
      '--lab',
      LAB,
      '--replay',
      `local=${RECORDED}`,
      '--out',
      dir,
    );
    expect(r.code).toBe(1);
    const m = readResults(dir).cases[0]!.message!;
    expect(m).toMatch(/cannot verify hypervisor: not recorded in the qualified run \(.*qemu\.version/);
    expect(m).toMatch(/cannot verify inventory: not recorded in the qualified run \(memory\.totalKiB/);
    expect(m).not.toMatch(/cannot verify cpu-visible: .*cpu\.microcode/);
  });

  it('an unreachable host is an error (the lab is wrong), exit 1', async () => {
    const dir = out();
    const r = await drift('--hosts', 'gone', '--out', dir);
    expect(r.code).toBe(1);
    expect(readResults(dir).cases[0]).toMatchObject({ status: 'error', message: expect.stringMatching(/unreachable/) });
  });
});

describe('hwqual drift: bad input exits 2 before any host is contacted', () => {
  it('--qualified missing: names the file', async () => {
    const r = await hwqual('drift', '--qualified', join(tmp, 'nope'), '--lab', LAB, '--out', out());
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${join(tmp, 'nope', 'results.json')}: cannot read (ENOENT)`);
  });

  it('--qualified not a results.json: names the file and the schema error', async () => {
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, JSON.stringify({ schemaVersion: 1, hosts: [] }));
    const r = await hwqual('drift', '--qualified', bad, '--lab', LAB, '--out', out());
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${bad}: / must have required property 'run'`);
  });

  it('--plan other than the qualified run’s: both hashes', async () => {
    const other = join(tmp, 'plan.yaml');
    writeFileSync(other, `${readFileSync(PLAN, 'utf8')}\n# edited since\n`);
    const r = await drift('--plan', other, '--out', out());
    expect(r.code).toBe(2);
    const want = readResults(QUALIFIED).run.planSha256;
    expect(r.err).toMatch(
      new RegExp(`--plan ${other} is not the plan of the qualified run: its sha256 is [0-9a-f]{64}`),
    );
    expect(r.err).toContain(want);
  });

  it('--hosts naming a host the lab lacks', async () => {
    const r = await drift('--hosts', 'local,node-z', '--out', out());
    expect(r.code).toBe(2);
    expect(r.err).toContain(`--hosts: no host node-z in ${LAB} (hosts: local, stranger, gone)`);
  });

  it('a drift run given as the qualified run', async () => {
    const d = out();
    await drift('--replay', `local=${RECORDED}`, '--out', d);
    const r = await hwqual('drift', '--qualified', d, '--lab', LAB, '--out', out());
    expect(r.code).toBe(2);
    expect(r.err).toContain('is a drift run, not a qualification');
  });
});

describe('hwqual drift: shards and lab-in-a-box state', () => {
  it('--shard checks a stable share of the hosts, and plans only that share', async () => {
    const dirs = [out(), out()];
    for (const [i, dir] of dirs.entries()) {
      const r = await drift(
        ...['--hosts', 'local,stranger', '--replay', `local=${RECORDED},stranger=${RECORDED}`],
        ...['--shard', `${i + 1}/2`, '--out', dir],
      );
      expect(r.code).not.toBe(2);
    }
    const ids = dirs.map((d) => readResults(d).cases.map((c) => c.id));
    expect(ids.map((x) => x.length)).toEqual([1, 1]);
    expect(ids.flat().sort()).toEqual(['drift/drift@local', 'drift/drift@stranger']);
    for (const d of dirs) expect(readResults(d).run.planned).toHaveLength(1);
  });

  it("reads the roots of a lab-in-a-box from the state.json next to its lab.yaml, and nothing else's", () => {
    const labDir = mkdtempSync(join(tmp, 'lab-'));
    const labYaml = join(labDir, 'lab.yaml');
    const hosts = [
      { name: 'node-a', address: '10.0.0.11', port: 22 },
      { name: 'node-b', address: '10.0.0.12', port: 22, root: { release: 'debian-13', path: '/x' } },
      { name: 'node-c', address: '10.0.0.13', port: 22, root: '/srv/roots/debian-12' },
    ];
    writeFileSync(join(labDir, 'state.json'), JSON.stringify({ version: 1, labYaml, hosts }));
    expect(labInABoxRoots(labYaml)).toEqual({
      'node-a': "this machine's root",
      'node-b': 'its own root debian-13',
      'node-c': 'its own root /srv/roots/debian-12',
    });
    expect(labInABoxRoots(join(labDir, 'other.yaml'))).toBeUndefined();
    writeFileSync(join(labDir, 'state.json'), '{ not json');
    expect(labInABoxRoots(labYaml)).toBeUndefined();
    expect(labInABoxRoots(LAB)).toBeUndefined();
  });
});
