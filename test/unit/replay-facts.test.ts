// Replay never invents a fact: every shipped profile runs host-os, server-inventory and cpu-features through the real
// runner, and every fact in the results is checked against the commands (or QMP) its profile recorded.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CaseResult, RunResults } from '../../src/model/result.ts';
import { CMD, type CommandName } from '../../src/probe/commands.ts';
import { EXTRA_FACT_SOURCES, FACT_SOURCES } from '../../src/probe/fact-sources.ts';
import { ANSWER_ON_ANY_EXIT, PARTIAL_OK } from '../../src/probe/host-facts.ts';
import { loadProfile, type HostProfile } from '../../src/transport/profile.ts';
import { runReplayed, SHIPPED_PROFILES } from '../support/replay-run.ts';

const PROFILES = readdirSync(SHIPPED_PROFILES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
const QMP = 'QMP';

/** The facts cases add (ctx.fact), by key, and the commands (or QMP) they are read from. */
const CASE_FACT_SOURCES: Record<string, ReadonlyArray<CommandName | typeof QMP>> = {
  os: ['osRelease'],
  kernelRelease: ['kernelRelease'],
  kernelCmdline: ['cmdline'],
  kvmDevice: ['kvmDevice'],
  kvm: ['kvmIntelParams', 'kvmAmdParams'],
  qemu: ['qemuX86', 'qemuArm', 'qemuKvm'],
  libvirt: ['libvirtd', 'virshVersion'],
  iommu: ['iommuGroups'],
  system: ['dmi', 'dmidecode'],
  bios: ['dmi', 'dmidecode'],
  dimms: ['dmidecode'],
  microcode: ['cpuinfo', 'microcode'],
  cpu: ['cpuinfo', 'lscpuJson', 'lscpu'],
  disks: ['lsblk'],
  nics: ['ipLink'],
  cpuGeneration: ['cpuinfo', 'lscpuJson', 'lscpu', QMP],
  qemuCpuModels: [QMP],
};

/** Whether the profile holds an answer of the command that fact gathering takes (ANSWER_ON_ANY_EXIT, PARTIAL_OK). */
function answered(p: HostProfile, name: CommandName | typeof QMP): boolean {
  if (name === QMP) return (p.meta.qmp ?? []).length > 0;
  const e = p.commands.filter((c) => c.command === CMD[name]).at(-1);
  if (!e) return false;
  if ((ANSWER_ON_ANY_EXIT as ReadonlySet<string>).has(name)) return e.exitCode !== null && e.exitCode !== 127;
  const partial = (PARTIAL_OK as ReadonlySet<string>).has(name) || name === 'dmi';
  return e.exitCode === 0 || (partial && e.exitCode !== 127 && e.stdout.trim() !== '');
}

/** Whether the profile recorded the command at all (a case reads any exit code as its answer). */
const recorded = (p: HostProfile, name: CommandName | typeof QMP) =>
  name === QMP ? answered(p, QMP) : p.commands.some((c) => c.command === CMD[name]);

function stdoutOf(p: HostProfile, names: readonly CommandName[]): string {
  return names.map((n) => p.commands.filter((c) => c.command === CMD[n]).at(-1)?.stdout ?? '').join('\n');
}

/** Every string leaf of a value, with its path. */
function strings(v: unknown, path: string, out: Array<[string, string]> = []): Array<[string, string]> {
  if (typeof v === 'string') out.push([path, v]);
  else if (Array.isArray(v)) for (const [i, x] of v.entries()) strings(x, `${path}[${i}]`, out);
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) strings(x, `${path}.${k}`, out);
  return out;
}

describe('replay never invents a fact (every shipped profile)', () => {
  let r: RunResults;
  const profiles = new Map<string, HostProfile>();
  beforeAll(async () => {
    for (const p of PROFILES) profiles.set(p, await loadProfile(join(SHIPPED_PROFILES, p)));
    // facts: all — every fact group is gathered, so every fact a profile can answer is checked.
    ({ results: r } = await runReplayed(Object.fromEntries(PROFILES.map((p) => [p.replace(/\./g, '-'), p])), {
      facts: 'all',
    }));
  }, 60_000);
  const profileOf = (host: string) => profiles.get(PROFILES.find((p) => p.replace(/\./g, '-') === host)!)!;

  it('runs every shipped profile', () => {
    expect(r.hosts.map((h) => h.name).sort()).toEqual(PROFILES.map((p) => p.replace(/\./g, '-')));
    expect(PROFILES.length).toBeGreaterThanOrEqual(20);
  });

  it('each gathered fact has an answer in its profile it was read from', () => {
    const unsupported: string[] = [];
    for (const h of r.hosts) {
      const p = profileOf(h.name);
      for (const key of Object.keys(h.facts).filter((k) => k !== 'extra')) {
        const sources = FACT_SOURCES[key as keyof typeof FACT_SOURCES];
        if (!sources) unsupported.push(`${h.name}: facts.${key} has no row in FACT_SOURCES`);
        else if (!sources.some((c) => answered(p, c)))
          unsupported.push(`${h.name}: facts.${key} but none of ${sources.join(', ')} is recorded`);
      }
    }
    expect(unsupported).toEqual([]);
  });

  it('each fact a case or the gathering added to facts.extra has its source recorded', () => {
    const unsupported: string[] = [];
    for (const h of r.hosts) {
      const p = profileOf(h.name);
      for (const key of Object.keys(h.facts.extra ?? {})) {
        if (key.startsWith('cpuPool.') || key.startsWith('guestView.')) {
          if (!answered(p, QMP)) unsupported.push(`${h.name}: ${key} without a QMP conversation`);
          continue;
        }
        const sources = CASE_FACT_SOURCES[key] ?? EXTRA_FACT_SOURCES[key];
        if (!sources) unsupported.push(`${h.name}: facts.extra.${key} is not a known fact`);
        else if (sources.length && !sources.some((c) => recorded(p, c)))
          unsupported.push(`${h.name}: facts.extra.${key} but none of ${sources.join(', ')} is recorded`);
      }
    }
    expect(unsupported).toEqual([]);
  });

  it('every string a gathered fact holds is in the recorded output it was read from', () => {
    const invented: string[] = [];
    // Words hwqual writes itself (a kind, the evidence, the topology's contradictions, the binary that answered),
    // and Arm names decoded from the MIDR ids (src/probe/arm-ids.ts), not values read.
    const derived = /^facts\.(virtualised|cpu\.topologyProblems|qemu\.binary)/;
    const armNames = /^facts\.cpu\.(vendor|modelName)$/;
    for (const h of r.hosts) {
      const p = profileOf(h.name);
      const arm = h.facts.cpu?.arm !== undefined;
      for (const key of Object.keys(h.facts).filter((k) => k !== 'extra')) {
        const text = stdoutOf(p, FACT_SOURCES[key as keyof typeof FACT_SOURCES] ?? []);
        for (const [path, value] of strings(h.facts[key as keyof typeof h.facts], `facts.${key}`))
          if (!derived.test(path) && !(arm && armNames.test(path)) && !text.includes(value))
            invented.push(`${h.name}: ${path} = ${value}`);
      }
    }
    expect(invented).toEqual([]);
  });

  it('/dev/kvm is stated only where `ls -l /dev/kvm` was recorded', () => {
    for (const h of r.hosts)
      expect(h.facts.kvm?.device !== undefined, h.name).toBe(answered(profileOf(h.name), 'kvmDevice'));
    expect(r.hosts.filter((h) => h.facts.kvm?.device !== undefined).map((h) => h.name)).toEqual([
      'this-machine-debian12',
    ]);
  });

  it(
    'a skip or error for want of data says "not recorded in ' + '<profile>: <command>", never that the host lacks it',
    () => {
      const stale = /is not available|found no table|host is unknown|recorded no QMP conversation: not recorded in the/;
      const bad = (c: CaseResult) =>
        (c.status === 'skipped' || c.status === 'error') && stale.test(c.message ?? '')
          ? [`${c.id}: ${c.message}`]
          : [];
      expect(r.cases.flatMap(bad)).toEqual([]);
      const kvmModule = r.cases.find((c) => c.id === 'host-os/kvm-module@amd-genoa')!;
      expect(kvmModule).toMatchObject({ status: 'skipped' });
      expect(kvmModule.message).toMatch(
        /^requires arch x86_64 \(arch not known: not recorded in \S+\/amd-genoa: uname -m; lscpu -J\)$/,
      );
      const disks = r.cases.find((c) => c.id === 'server-inventory/disks@amd-genoa')!;
      expect(disks.message).toMatch(/^no disk list: not recorded in \S+\/amd-genoa: lsblk -J/);
      const system = r.cases.find((c) => c.id === 'server-inventory/system@amd-genoa')!;
      expect(system.message).toMatch(
        /^no system vendor\/product: not recorded in \S+\/amd-genoa: grep -s \. \/sys\/class\/dmi\/id\/\*; /,
      );
    },
  );

  it('the default pools are the CPU vendors; a member without QMP data makes its pool an error naming it', () => {
    const pools = r.cases.filter((c) => c.caseId === 'pool-baseline');
    expect(pools.map((c) => c.params.pool).sort()).toEqual(['amd', 'ampere', 'arm', 'intel']);
    const amd = pools.find((c) => c.params.pool === 'amd')!;
    expect(amd.status).toBe('error');
    expect(amd.errorCode).toBe('E_NOT_RECORDED');
    expect(amd.message).toMatch(/^pool amd-[^:]*: cannot ask the QEMU of /);
    expect(amd.message).toMatch(/\bamd-genoa \(not recorded in \S+\/amd-genoa: QMP socket kvm\)/);
    expect(amd.message).not.toMatch(/qmp-ryzen-3900x-qemu-7-2 \(/); // members with a conversation are not blamed
    expect(r.cases.filter((c) => c.status === 'failed' && c.caseId === 'pool-baseline')).toEqual([]);
  });
});
