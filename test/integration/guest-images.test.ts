// The guest-images suite through the real CLI: this machine (tiny + tiny-generic under max, a panicking image, and
// the negative flag test: a guest booted as max,-aes checked as plain max) and a lab-in-a-box host over SSH (one
// boot, QMP through the forwarded socket) in one run; then a case that times out and a run that is cancelled
// leave no QEMU behind. All guests under TCG. Boots: 5 complete + 2 stopped early.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { labDown, labUp } from '../../src/lab/index.ts';
import type { RunResults } from '../../src/model/result.ts';
import { ensureImage } from '../../src/vm/images/builder.ts';
import type { BuiltImage } from '../../src/vm/images/built-image.ts';
import { runCli } from '../support/cli.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { waitFor } from '../support/wait.ts';
import { qemuRunningIn } from './vm-support.ts';
import { tempDir } from '../support/temp-dir.ts';

const rand = () => Math.random().toString(36).slice(2, 8);
const results = (out: string): RunResults => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
const byId = (r: RunResults, id: string) => {
  const c = r.cases.find((x) => x.id === id);
  if (!c) throw new Error(`no case ${id} among ${r.cases.map((x) => x.id).join(', ')}`);
  return c;
};

/** A user image made of the tiny kernel + initramfs, running another tiny-init action. */
const tinyUserImage = (tiny: BuiltImage, name: string, run: string) => ({
  name,
  kernel: { kernel: tiny.kernel!, initrd: tiny.initrd!, append: `${tiny.append} hwqual.run=${run}` },
  ready: { console: 'HWQUAL-READY' },
});

/** A test-only suite: the guest-images boot case, booted as max,-aes but checked against plain max. */
function negativeSuiteDir(dir: string): string {
  const suites = join(dir, 'suites');
  mkdirSync(join(suites, 'gi-negative'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n'); // outside the project: say it is ESM
  writeFileSync(
    join(suites, 'gi-negative/index.ts'),
    `
import { defineSuite } from '${PROJECT_ROOT}/src/suite-api/index.ts';
import { bootCase } from '${PROJECT_ROOT}/suites/guest-images/boot-case.ts';
import { guestImageSettings } from '${PROJECT_ROOT}/suites/guest-images/settings.ts';
export default defineSuite({
  name: 'gi-negative', title: 'negative flag check',
  cases: (_h, plan) => {
    const s = guestImageSettings({ ...plan, matrix: {} });
    return [bootCase(s, { name: 'tiny', builtIn: 'tiny' }, 'max,-aes', { checkAs: 'max' })];
  },
});
`,
  );
  return suites;
}

describe('guest-images suite (TCG)', () => {
  let dir: string;
  let labDir: string | undefined;
  let labHost: string;
  let tiny: BuiltImage;
  let r: RunResults;
  let listed: string;

  beforeAll(async () => {
    dir = tempDir('hwqual-gi-');
    labDir = tempDir('hwqual-gi-lab-');
    const [state, built] = await Promise.all([
      labUp({ dir: labDir, hosts: 1 }),
      ensureImage('tiny'),
      ensureImage('tiny-generic'),
    ]);
    tiny = built;
    const lab = parse(readFileSync(state.labYaml, 'utf8'));
    labHost = lab.hosts[0].name;
    lab.hosts.unshift({ name: 'local', address: 'local' });
    const labYaml = join(labDir, 'lab-with-local.yaml'); // beside the lab's key files (relative paths)
    writeFileSync(labYaml, stringify(lab));
    const plan = join(dir, 'plan.yaml');
    writeFileSync(
      plan,
      stringify({
        name: 'gi',
        suites: ['guest-images', 'gi-negative'],
        images: ['tiny', 'tiny-generic', tinyUserImage(tiny, 'tinypanic', 'panic')],
        cpuModels: ['max'],
        settings: { accel: 'tcg' },
      }),
    );
    const env = { HWQUAL_SUITES_PATH: negativeSuiteDir(dir) };
    // On the lab host: the tiny image under max only (one boot over SSH).
    // (the filter matches `<id> <title>`; ids have no spaces)
    const onlyTinyOnLab = `^(?!guest-images/boot\\[image=tiny,cpuModel=max\\]@)\\S*@${labHost} `;
    const list = await runCli(['list', '--lab', labYaml, '--plan', plan], env);
    listed = list.stdout + list.stderr;
    const out = join(dir, 'out');
    const run = await runCli(
      ['run', '--lab', labYaml, '--plan', plan, '--out', out, '--grep-invert', onlyTinyOnLab],
      env,
    );
    if (!run.stdout.includes('guest-images/boot'))
      throw new Error(`run printed no cases: ${run.stdout}\n${run.stderr}`);
    r = results(out);
  }, 420_000);

  afterAll(async () => {
    if (labDir) await labDown(labDir);
    for (const d of [dir, labDir]) if (d) rmSync(d, { recursive: true, force: true });
  }, 60_000);

  it('list shows the images × cpuModels axes in the case ids', () => {
    for (const image of ['tiny', 'tiny-generic', 'tinypanic'])
      expect(listed).toContain(`guest-images/boot[image=${image},cpuModel=max]@local`);
    expect(listed).toContain(`guest-images/boot[image=tiny,cpuModel=max]@${labHost}`);
  });

  it('tiny and tiny-generic boot here and on a lab host over SSH: flags, disks, memory, clean shutdown', () => {
    for (const id of [
      'guest-images/boot[image=tiny,cpuModel=max]@local',
      'guest-images/boot[image=tiny-generic,cpuModel=max]@local',
      `guest-images/boot[image=tiny,cpuModel=max]@${labHost}`,
    ]) {
      const c = byId(r, id);
      expect(c.status, `${id}: ${c.message}`).toBe('passed');
      expect(c.assertions.map((a) => a.name)).toEqual([
        'guest flags under -cpu max',
        'no unexpected flags under -cpu max',
        'guest sees its disks',
        'guest sees its memory',
        'no panic/oops/BUG lines on the console',
        'clean shutdown',
      ]);
      expect(c.metrics.boot_to_ready_s).toBeGreaterThan(0);
      expect(c.metrics.guest_flags).toBeGreaterThan(40);
      const log = c.artifacts.find((a) => a.name === 'console.log')!;
      expect(readFileSync(join(dir, 'out', log.path), 'utf8')).toMatch(/HWQUAL-READY[\s\S]*HWQUAL-POWEROFF/);
    }
    expect(r.cases.filter((c) => c.host === labHost && c.status !== 'skipped').map((c) => c.id)).toEqual([
      `guest-images/boot[image=tiny,cpuModel=max]@${labHost}`,
    ]);
    for (const h of ['local', labHost])
      expect(r.hosts.find((x) => x.name === h)!.facts.extra).toMatchObject({ 'guestImages.accel': 'tcg' });
  });

  it('a guest booted as max,-aes checked against plain max fails, naming aes', () => {
    const c = byId(r, 'gi-negative/boot[image=tiny,cpuModel=max,-aes,checkAs=max]@local');
    expect(c.status).toBe('failed');
    expect(c.message).toBe('-cpu max: the guest lacks aes');
    expect(c.assertions.filter((a) => !a.passed).map((a) => a.name)).toEqual(['guest flags under -cpu max']);
  });

  it('a panicking image fails, quoting the panic line', () => {
    const c = byId(r, 'guest-images/boot[image=tinypanic,cpuModel=max]@local');
    expect(c.status).toBe('failed');
    expect(c.message).toMatch(/panicked: Kernel panic - not syncing: Attempted to kill init/);
    expect(c.artifacts.map((a) => a.name)).toContain('console.log');
  });

  it('a case that times out and a run that is cancelled leave no QEMU behind', async () => {
    const lab = join(dir, 'lab-local.yaml');
    writeFileSync(lab, stringify({ hosts: [{ name: 'local', address: 'local' }] }));
    const start = (marker: string, caseTimeoutSec: number) => {
      const plan = join(dir, `plan-${marker}.yaml`);
      writeFileSync(
        plan,
        stringify({
          name: marker,
          suites: ['guest-images'],
          images: [tinyUserImage(tiny, marker, 'idle')],
          cpuModels: ['max'],
          settings: { accel: 'tcg', guestImages: { caseTimeoutSec } },
        }),
      );
      const out = join(dir, `out-${marker}`);
      return { out, cli: runCli(['run', '--lab', lab, '--plan', plan, '--out', out]) };
    };
    const tmo = `gitmo${rand()}`;
    const cnl = `gicnl${rand()}`;
    const timedOut = start(tmo, 12);
    const cancelled = start(cnl, 600);
    // Both QEMUs really ran (so "none left" below means they were stopped).
    await Promise.all([
      waitFor(() => qemuRunningIn(tmo), 'the QEMU of the case that times out', 60_000),
      waitFor(() => qemuRunningIn(cnl), 'the QEMU of the run to cancel', 60_000),
    ]);
    cancelled.cli.kill('SIGINT');
    const [t, c] = await Promise.all([timedOut.cli, cancelled.cli]);
    expect(results(timedOut.out).cases[0]).toMatchObject({ status: 'error', errorCode: 'E_TIMEOUT' });
    expect(c.code, c.stderr).not.toBe(0);
    expect(t.code).not.toBe(0);
    expect(await qemuRunningIn(tmo)).toBe(false);
    expect(await qemuRunningIn(cnl)).toBe(false);
  }, 240_000);
});
