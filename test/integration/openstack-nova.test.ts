// The OpenStack hand-off proven with Nova's own code (issue 18), on a 2-host lab whose hosts run the +libvirt+nova
// roots: node-a Debian 12 (libvirt 9.0, Nova 26.2.2), node-b Debian 13 (libvirt 11.3, Nova 31.0.0). A real run
// qualifies the pool (host-os + cpu-features with driver libvirt), `hwqual openstack --verify` writes the fragment and
// runs the openstack-handoff suite: Nova's start-up check and its traits pass on both hosts, and a guest with the CPU
// Nova picks migrates 12→13→12. Then two wrong fragments: a model of the other CPU vendor (chosen from the hosts'
// vendor fact) fails on both with Nova's words; `Westmere-v1` fails on Debian 12 only. A not-qualified run is refused.
// `npm run test:openstack` (the two roots take ~100 s + ~170 s to build on a fresh clone; ~100 s with them cached).
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labDown, labUp, type LabState } from '../../src/lab/index.ts';
import type { CaseResult, RunResults } from '../../src/model/result.ts';
import { cliInProcess as cli } from '../support/cli.ts';
import { tempDir } from '../support/temp-dir.ts';
import { caseOf, leftOnLab } from './libvirt-support.ts';

const root = tempDir('hwq-openstack-');
const dir = join(root, 'lab');
let state: LabState;
const results = (out: string) => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults;

/** What this machine's own kernel reports vulnerable: the lab hosts share it (a VM here, not the hardware). */
function vulnerableHere(): string[] {
  const d = '/sys/devices/system/cpu/vulnerabilities';
  return readdirSync(d).filter((f) => /^Vulnerable/i.test(readFileSync(join(d, f), 'utf8').trim()));
}

function plan(name: string, allow: string[]): string {
  const f = join(root, `${name}.yaml`);
  writeFileSync(
    f,
    stringify({
      name,
      suites: ['host-os', 'cpu-features'],
      driver: 'libvirt',
      accel: 'tcg',
      cpuModels: ['qemu64'],
      // What this lab can qualify: no KVM, no IOMMU in a VM, and the vulnerabilities of the VM's kernel.
      require: { kvm: false, iommu: false, vulnerabilities: { allow } },
    }),
  );
  return f;
}

/** A copy of the hand-off with its fragment's cpu_models replaced (no extra flags); the plan that verifies it. */
function wrongFragment(from: string, name: string, model: string): string {
  const to = join(root, `wrong-${name}`);
  const report = join(from, 'verify');
  cpSync(from, to, { recursive: true, filter: (src) => src !== report && !src.startsWith(`${report}/`) });
  for (const f of readdirSync(to).filter((x) => x.startsWith('nova-compute-')))
    writeFileSync(
      join(to, f),
      readFileSync(join(to, f), 'utf8')
        .replace(/^cpu_models = .*$/m, `cpu_models = ${model}`)
        .replace(/^cpu_model_extra_flags = .*$/m, ''),
    );
  const p = join(to, 'verify-plan.yaml');
  writeFileSync(p, readFileSync(p, 'utf8').replace(from, to));
  return p;
}

beforeAll(async () => {
  state = await labUp({
    dir,
    hosts: 2,
    os: { 'node-a': 'debian-12+libvirt+nova', 'node-b': 'debian-13+libvirt+nova' },
    libvirt: true,
    log: (line) => process.stderr.write(`openstack-nova: ${line}\n`),
  });
}, 900_000);

afterAll(async () => {
  const left = state ? leftOnLab(state) : [];
  await labDown(dir).catch(() => undefined);
  expect(left).toEqual([]);
});

describe.sequential("the hand-off proven with Nova's own code on Debian 12 (Nova 26) and 13 (Nova 31)", () => {
  const run = join(root, 'run');
  const handoff = join(run, 'openstack');

  it('a not-qualified run is refused: exit 1, nothing written', async () => {
    const out = join(root, 'run-nq');
    const r = await cli(['run', '--lab', state.labYaml, '--plan', plan('strict', []), '--out', out]);
    if (vulnerableHere().length === 0) return; // nothing to fail on: this machine's kernel reports none vulnerable
    expect(r.code, r.stderr.slice(-800)).toBe(1);
    const o = await cli(['openstack', out]);
    expect(o.code).toBe(1);
    expect(o.stderr).toMatch(/not-qualified: nothing is handed to OpenStack; blocking cases: host-os\/vulnerability-/);
    expect(existsSync(join(out, 'openstack'))).toBe(false);
  }, 300_000);

  it('qualified run → openstack --verify: Nova accepts the fragment, reports its traits, runs a guest', async () => {
    const r = await cli(['run', '--lab', state.labYaml, '--plan', plan('lab', vulnerableHere()), '--out', run]);
    expect(r.code, r.stdout.slice(-1500)).toBe(0);
    const v = await cli(['openstack', run, '--verify', '--lab', state.labYaml, '--accel', 'tcg']);
    expect(v.code, v.stdout.slice(-2000)).toBe(0);
    const conf = readFileSync(join(handoff, readdirSync(handoff).find((f) => f.endsWith('.conf'))!), 'utf8');
    expect(conf).toMatch(/^virt_type = kvm$/m);
    const res = results(join(handoff, 'verify'));
    expect(res.signoff?.verdict).toBe('qualified');
    const pool = res.cases[0]!.params.pool!;
    for (const h of ['node-a', 'node-b'])
      for (const c of ['nova-config', 'nova-traits'])
        expect(caseOf(res, `openstack-handoff/${c}[pool=${pool}]@${h}`).status).toBe('passed');
    expect(res.hosts.map((h) => (h.facts.extra?.nova as { version?: string } | undefined)?.version)).toEqual([
      expect.stringMatching(/^26\./),
      expect.stringMatching(/^31\./),
    ]);
    const guest = caseOf(res, `openstack-handoff/nova-guest[pool=${pool}]@node-a`);
    expect(guest.status, guest.message).toBe('passed');
    expect(guest.metrics.nova_guest_cpus).toBeGreaterThanOrEqual(1);
  }, 600_000);

  /** Verify a copy of the hand-off whose fragment names `model`: the run fails; each host's nova-config case. */
  async function verifyWrong(name: string, model: string): Promise<(host: string) => CaseResult> {
    const out = join(root, `out-wrong-${name}`);
    const plan = wrongFragment(handoff, name, model);
    const r = await cli(['run', '--lab', state.labYaml, '--plan', plan, '--out', out]);
    expect(r.code).toBe(1);
    return (h) => results(out).cases.find((x) => x.id.startsWith('openstack-handoff/nova-config') && x.host === h)!;
  }

  it("wrong fragment A: a model of the other CPU vendor fails on both hosts with Nova's words", async () => {
    const vendor = results(run).hosts[0]!.facts.cpu?.vendor ?? '';
    const model = /AMD/i.test(vendor) ? 'Skylake-Server' : 'EPYC';
    const config = await verifyWrong('vendor', model);
    for (const h of ['node-a', 'node-b']) {
      expect(config(h).status).toBe('failed');
      expect(config(h).message).toMatch(
        new RegExp(`Configured CPU model: ${model} and CPU Flags .* ar not compatible with host CPU`),
      );
    }
  }, 300_000);

  it('wrong fragment B: Westmere-v1 is unknown to libvirt 9.0 (Debian 12) and known to 11.3 (Debian 13)', async () => {
    const config = await verifyWrong('name', 'Westmere-v1');
    expect(config('node-a').status).toBe('failed');
    expect(config('node-a').message).toMatch(/Configured CPU model: Westmere-v1 is not correct/);
    expect(config('node-b').status, config('node-b').message).toBe('passed');
  }, 300_000);
});
