// The openstack-handoff suite and `hwqual openstack --verify`, where no Nova is needed: the hand-off folder read back
// (each bad field named), the plan rules (folder, pool, every pool host selected), the trait comparison, the replay
// refusal (a recorded profile cannot answer Nova), and the CLI's bad input. Nova's own answers on real lab hosts:
// test/integration/openstack-nova.test.ts (`npm run test:openstack`).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/model/result.ts';
import { buildHandoff, fragmentFile, novaConf, parseHandoff } from '../../src/openstack/index.ts';
import { specOf, unbootable } from '../../suites/openstack-handoff/guest-case.ts';
import { splitNovaTraits, traitDifferences } from '../../suites/openstack-handoff/traits-case.ts';
import { verifyPlan } from '../../src/cli/commands/openstack.ts';
import { hwqualInProcess } from '../support/main.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { labOf, planProblems } from '../support/plan-check.ts';
import { runReplayed } from '../support/replay-run.ts';
import { runSuitesLocally } from '../support/run-local.ts';
import { tempDir } from '../support/temp-dir.ts';

const dir = tempDir('hwq-os-verify-');
const labRun = () =>
  JSON.parse(readFileSync(join(PROJECT_ROOT, 'fixtures/openstack/lab-run-results.json'), 'utf8')) as RunResults;
const qualified = (r: RunResults): RunResults => ({
  ...r,
  signoff: { ...r.signoff!, verdict: 'qualified', exitCode: 0, reasons: [] },
});

/** What `hwqual openstack` writes for the recorded lab run (pool amd on node-a, node-b), in a folder of its own. */
function handoffDir(name: string): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  const h = buildHandoff(qualified(labRun()));
  for (const p of h.pools) writeFileSync(join(d, fragmentFile(p)), novaConf(h, p));
  writeFileSync(join(d, 'handoff.json'), JSON.stringify(h));
  return d;
}

describe('openstack-handoff without Nova', () => {
  it('handoff.json read back: each bad field named with the file', () => {
    const good = JSON.parse(readFileSync(join(handoffDir('parse'), 'handoff.json'), 'utf8'));
    expect(parseHandoff(JSON.stringify(good), 'h.json').pools[0]!.pool).toBe('amd');
    const bad: Array<[unknown, RegExp]> = [
      ['{', /^h\.json: not JSON/],
      [{}, /h\.json: \/run: missing/],
      [{ ...good, pools: [] }, /\/pools: no pool/],
      [{ ...good, pools: [{ ...good.pools[0], hosts: 'node-a' }] }, /\/pools\/0\/hosts: expected a list/],
      [{ ...good, pools: [{ ...good.pools[0], traits: { 'node-a': [] } }] }, /\/pools\/0\/traits\/node-b: missing/],
      [{ ...good, pools: [{ ...good.pools[0], cpuModels: [{}] }] }, /\/pools\/0\/cpuModels: expected/],
    ];
    for (const [data, msg] of bad)
      expect(() => parseHandoff(typeof data === 'string' ? data : JSON.stringify(data), 'h.json')).toThrow(msg);
  });

  it('plan rules: the folder holds a hand-off, the pool exists, every host of a pool is selected', async () => {
    const d = handoffDir('rules');
    const plan = (openstack: Record<string, unknown>) => ({
      name: 'v',
      suites: ['openstack-handoff'],
      settings: { openstack },
    });
    expect(await planProblems(plan({ dir: d }))).toEqual([]);
    expect((await planProblems(plan({ dir: join(dir, 'none') }))).join('\n')).toMatch(
      /\/settings\/openstack\/dir .*none\/handoff\.json: missing \(write the hand-off with hwqual openstack <run>\)/,
    );
    expect((await planProblems(plan({ dir: d, pool: 'intel' }))).join('\n')).toMatch(
      /\/settings\/openstack\/pool no pool intel in .*; its pools: amd/,
    );
    expect((await planProblems(plan({ dir: d }), labOf('node-a', 'node-c'))).join('\n')).toMatch(
      /pool amd has host node-b, which the plan does not select/,
    );
    expect((await planProblems({ name: 'v', suites: ['openstack-handoff'] })).join('\n')).toMatch(
      /needs settings\.openstack: \{ dir: <folder> \}/,
    );
    expect((await planProblems(plan({ dir: d, poool: 'amd' }))).join('\n')).toMatch(/poool/);
  });

  it('the trait comparison names what only Nova reports and what only hwqual wrote', () => {
    expect(traitDifferences(['HW_CPU_X86_SSE2', 'HW_CPU_X86_AESNI'], ['HW_CPU_X86_SSE2', 'HW_CPU_X86_AVX'])).toEqual({
      onlyNova: ['HW_CPU_X86_AESNI'],
      onlyHwqual: ['HW_CPU_X86_AVX'],
    });
    expect(traitDifferences(['A', 'B'], ['B', 'A'])).toEqual({ onlyNova: [], onlyHwqual: [] });
  });

  it("Nova 31's architecture traits are set apart from the CPU traits hwqual predicts", () => {
    expect(
      splitNovaTraits(['COMPUTE_ARCH_X86_64', 'HW_ARCH_X86_64', 'HW_CPU_X86_SSE2', 'HW_CPU_HYPERTHREADING']),
    ).toEqual({
      cpu: ['HW_CPU_X86_SSE2', 'HW_CPU_HYPERTHREADING'],
      arch: ['COMPUTE_ARCH_X86_64', 'HW_ARCH_X86_64'],
    });
  });

  it("nova-guest boots Nova's CPU as it is (model, required and disabled features); none for an error", () => {
    const base = { extraSpecs: {}, mode: 'custom', model: 'Opteron_G1', xml: '' };
    expect(specOf({ ...base, features: ['require:aes', 'require:sse4.2', 'disable:x2apic'] })).toBe(
      'Opteron_G1,+aes,+sse4.2,-x2apic',
    );
    expect(specOf({ ...base, features: [] })).toBe('Opteron_G1');
    expect(specOf({ ...base, mode: 'host-model' })).toBeUndefined();
    expect(specOf({ extraSpecs: {}, error: { type: 'InvalidCPUInfo', message: 'No CPU model match traits' } })).toBe(
      undefined,
    );
    expect(unbootable({ 'hw:mem_encryption': 'True' })).toMatch(/SEV hardware under KVM/);
    expect(unbootable({ 'trait:HW_CPU_X86_AESNI': 'required' })).toBeUndefined();
  });

  it('a replayed host cannot answer for Nova: errors naming the command, never a pass or a skip', async () => {
    const d = handoffDir('replay');
    const { results } = await runReplayed(
      { 'node-a': 'this-machine-debian12', 'node-b': 'amd-genoa' },
      { suites: ['openstack-handoff'], settings: { openstack: { dir: d } } },
    );
    const ids = results.cases.map((c) => c.id).sort();
    expect(ids).toEqual([
      'openstack-handoff/nova-config[pool=amd]@node-a',
      'openstack-handoff/nova-config[pool=amd]@node-b',
      'openstack-handoff/nova-guest[pool=amd]@node-a',
      'openstack-handoff/nova-traits[pool=amd]@node-a',
      'openstack-handoff/nova-traits[pool=amd]@node-b',
    ]);
    for (const c of results.cases) {
      expect(c.status, c.id).toBe('error');
      expect(c.message, c.id).toMatch(/^not recorded in .*fixtures\/hosts\/[\w-]+: mkdir -m 700 \/tmp\/hwqual-nova-/);
    }
  });

  const novaHere = (() => {
    try {
      execFileSync('/usr/bin/python3', ['-c', 'import nova'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(novaHere)(
    'a host without Nova (this machine): the real helper says so, and the cases skip naming it',
    async () => {
      const d = join(dir, 'local');
      mkdirSync(d, { recursive: true });
      const h = buildHandoff(qualified(labRun()));
      const p = { ...h.pools[0]!, hosts: ['local'], traits: { local: [] } };
      writeFileSync(join(d, fragmentFile(p)), novaConf(h, p));
      writeFileSync(join(d, 'handoff.json'), JSON.stringify({ ...h, pools: [p] }));
      const { results } = await runSuitesLocally(['openstack-handoff'], { settings: { openstack: { dir: d } } });
      expect(results.cases.map((c) => [c.caseId, c.status])).toEqual([
        ['nova-config', 'skipped'],
        ['nova-traits', 'skipped'],
        ['nova-guest', 'skipped'],
      ]);
      for (const c of results.cases.slice(0, 2))
        expect(c.message).toMatch(
          /^python3-nova is not installed on local \(No module named 'nova'\): Nova cannot be asked there/,
        );
      expect(results.cases[2]!.message).toBe('pool amd has one host: a guest has nowhere to migrate to');
    },
  );

  it('the --verify plan is a valid plan of the suite on every pool host', async () => {
    const d = handoffDir('plan');
    const h = JSON.parse(readFileSync(join(d, 'handoff.json'), 'utf8'));
    const plan = parse(verifyPlan(h, d));
    expect(plan).toMatchObject({
      suites: ['openstack-handoff'],
      driver: 'libvirt',
      accel: 'auto',
      hosts: { names: ['node-a', 'node-b'] },
    });
    expect(plan.settings.openstack).toEqual({ dir: d });
    expect(await planProblems(plan)).toEqual([]);
  });

  it('--verify without --lab, or --lab without --verify: exit 2, nothing written', async () => {
    const run = join(dir, 'run');
    mkdirSync(run, { recursive: true });
    writeFileSync(join(run, 'results.json'), JSON.stringify(qualified(labRun())));
    for (const args of [['--verify'], ['--lab', join(dir, 'lab.yaml')]]) {
      const r = await hwqualInProcess('openstack', run, ...args);
      expect(r.code, r.err).toBe(2);
      expect(r.err).toMatch(/--verify needs --lab|--lab and --verify-out go with --verify/);
      expect(existsSync(join(run, 'openstack'))).toBe(false);
    }
  });
});
