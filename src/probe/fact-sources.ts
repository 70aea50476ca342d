import type { HostFacts } from '../model/facts.ts';
import type { FactCommand } from './host-facts.ts';

/**
 * Which fact commands each top-level host fact is read from (assembleFacts): to say why a fact is unknown ("not
 * recorded in <profile>: uname -m"), and to check that no fact appears without an answer it came from. A new fact
 * needs its row here; a unit test replays every shipped profile against this table.
 */
export const FACT_SOURCES: Readonly<Record<Exclude<keyof HostFacts, 'extra'>, readonly FactCommand[]>> = {
  arch: ['arch', 'lscpuJson'],
  hostname: ['hostname'],
  os: ['osRelease'],
  kernel: ['kernelRelease', 'cmdline'],
  cpu: ['cpuinfo', 'lscpuJson', 'microcode'],
  memory: ['meminfo'],
  numaNodes: ['numaNodes', 'lscpuJson'],
  dmi: ['dmi'],
  kvm: ['kvmDevice', 'kvmIntelParams', 'kvmAmdParams'],
  qemu: ['qemuX86', 'qemuArm', 'qemuKvm'],
  libvirt: ['libvirtd', 'virshVersion'],
  openssh: ['sshVersion'],
  cryptsetup: ['cryptsetupVersion'],
  iommu: ['iommuGroups'],
  vulnerabilities: ['vulnerabilities', 'lscpuJson'],
  virtualised: ['cpuinfo', 'lscpuJson', 'dmi', 'hypervisorType', 'detectVirt'],
};

/** `facts.extra` keys fact gathering itself writes, and what they come from (an empty list: about the gathering). */
export const EXTRA_FACT_SOURCES: Readonly<Record<string, readonly FactCommand[]>> = {
  xtsAes: ['crypto'],
  iommuCmdline: ['cmdline'],
  unparsed: [],
  unavailable: [],
  unavailableWhy: [],
  factsNotGathered: [],
  /** Who hwqual is on the host (`id`, and `id -un` as a command that needs root): about the gathering. */
  access: [],
};

/**
 * Why a top-level fact is unknown, from what its commands gave (`facts.extra.unavailableWhy`): "not recorded in P:
 * uname -m; lscpu -J" on a replayed host, the commands' own errors live; undefined when nothing is on record.
 */
export function whyFactUnknown(facts: HostFacts, fact: keyof typeof FACT_SOURCES): string | undefined {
  const why = (facts.extra?.unavailableWhy ?? {}) as Record<string, string>;
  const reasons = FACT_SOURCES[fact].flatMap((c) => (why[c] ? [why[c]] : []));
  return reasons.length ? joinWhy(reasons) : undefined;
}

/**
 * Reasons joined for a message, those of one kind grouped: "not recorded in P: a; not recorded in P: b" reads
 * "not recorded in P: a; b", and so does "needs root on H (…): a; needs root on H (…): b".
 */
export function joinWhy(reasons: readonly string[]): string {
  const out: string[] = [];
  let head: string | undefined;
  for (const r of reasons) {
    const m = /^(not recorded in .+?|needs root on \S+ \([^)]*\)): (.*)$/s.exec(r);
    if (m && m[1] === head) out[out.length - 1] += `; ${m[2]}`;
    else out.push(r);
    head = m?.[1];
  }
  return out.join('; ');
}
