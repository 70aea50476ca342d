import { HwqualError } from '../model/errors.ts';
import type { RunResults } from '../model/result.ts';
import { libvirtFeatureName } from '../probe/libvirt-names.ts';
import { cpuFeaturesToTraits, NOVA_CPU_TRAITS } from './traits.ts';

/** What pool-baseline records of a pool (cpuPool.<name>), as far as the hand-off reads it. */
interface PoolFact {
  hosts: string[];
  model?: string;
  extraFeatures?: string[];
  machineType?: string;
  libvirt?: {
    qemu: string;
    libvirt?: string;
    problem?: string;
    features: Record<string, string[] | { error: string }>;
    refusedByHostCpu?: Array<{ qemu: string; libvirt: string; hosts: Record<string, string> }>;
  };
}

/** A flavor hwqual offers for a qualified feature: its extra specs and the image properties it needs. */
export interface Flavor {
  feature: string;
  extraSpecs: Record<string, string>;
  imageProperties: Record<string, string>;
}

/** The OpenStack side of one qualified pool. Plain data (handoff.json); the text files are rendered from it. */
export interface PoolHandoff {
  pool: string;
  hosts: string[];
  /** The case that proved the model and machine type. */
  provenBy: string;
  cpuModels: Array<{ libvirt: string; qemu: string }>;
  /** Richer models of the pool libvirt found incompatible with a host's own CPU (Nova would refuse them there). */
  refusedModels?: Array<{ libvirt: string; hosts: Record<string, string> }>;
  extraFlags: string[];
  machineType?: string;
  /** Why no hw_machine_type is written (the run recorded none every host offers). */
  machineNote?: string;
  /** Per host: the CPU traits Nova will report (_get_cpu_traits), predicted from libvirt's expansion. */
  traits: Record<string, string[]>;
  flavors: Flavor[];
  /** Features some host of the pool has and another lacks: never offered, with the hosts that lack them. */
  notOffered: Array<{ feature: string; trait?: string; lackedBy: string[] }>;
  /** Hosts whose CPU flags the run did not record: what they have beyond the pool's model is not known. */
  flagsUnknown?: string[];
}

export interface Handoff {
  run: { plan: string; startedAt: string; labSha256: string; planSha256: string; verdict: string; reasons: string[] };
  pools: PoolHandoff[];
}

const TRAIT_FEATURES = new Set(NOVA_CPU_TRAITS.map(([f]) => f));
const traitOf = (f: string) => NOVA_CPU_TRAITS.find(([x]) => x === f)?.[1][0];

/**
 * The Nova configuration, traits and flavors of each pool of a qualified run — offline, from results.json alone.
 * Bad input (no pools, no libvirt names, an unknown pool) is E_CONFIG; a run that is not a sign-off is refused by
 * the caller (refusal()). Pure.
 */
export function buildHandoff(r: RunResults, only?: string): Handoff {
  const pools = poolFacts(r);
  if (pools.size === 0)
    throw new HwqualError('E_CONFIG', 'the run has no CPU pool: run cpu-features with settings.cpuPool');
  if (only && !pools.has(only))
    throw new HwqualError('E_CONFIG', `no pool ${only} in the run; its pools: ${[...pools.keys()].join(', ')}`);
  const out: PoolHandoff[] = [];
  for (const [name, { fact, anchor }] of pools)
    if (!only || name === only) out.push(poolHandoff(r, name, fact, anchor));
  return {
    run: {
      plan: r.run.plan,
      startedAt: r.run.startedAt,
      labSha256: r.run.labSha256,
      planSha256: r.run.planSha256,
      verdict: r.signoff?.verdict ?? 'not judged',
      reasons: r.signoff?.reasons ?? [],
    },
    pools: out,
  };
}

/** Why a run cannot be handed off (not a sign-off), with the exit code of its verdict; undefined when it can. */
export function refusal(r: RunResults): { exitCode: number; message: string } | undefined {
  const v = r.signoff?.verdict;
  if (v === 'qualified' || v === 'conditional') return undefined;
  const blocking = r.cases.filter((c) => c.status === 'failed' || c.status === 'error').map((c) => c.id);
  return {
    exitCode: r.signoff?.exitCode ?? 1,
    message:
      `the run is ${v ?? 'not judged'}: nothing is handed to OpenStack` +
      (blocking.length ? `; blocking cases: ${blocking.join(', ')}` : '') +
      (r.signoff?.reasons.length ? `; ${r.signoff.reasons.join('; ')}` : ''),
  };
}

function poolFacts(r: RunResults): Map<string, { fact: PoolFact; anchor: string }> {
  const out = new Map<string, { fact: PoolFact; anchor: string }>();
  for (const h of r.hosts)
    for (const [k, v] of Object.entries(h.facts.extra ?? {}))
      if (k.startsWith('cpuPool.') && v && typeof v === 'object' && Array.isArray((v as PoolFact).hosts))
        out.set(k.slice('cpuPool.'.length), { fact: v as PoolFact, anchor: h.name });
  return out;
}

function poolHandoff(r: RunResults, pool: string, fact: PoolFact, anchor: string): PoolHandoff {
  const provenBy = `cpu-features/pool-baseline[pool=${pool}]@${anchor}`;
  const lv = fact.libvirt;
  if (!fact.model) throw new HwqualError('E_CONFIG', `pool ${pool} has no CPU model every host can run (${provenBy})`);
  if (!lv?.libvirt)
    throw new HwqualError(
      'E_CONFIG',
      `pool ${pool}: the run has no libvirt model names${lv?.problem ? ` (${lv.problem})` : ''}: ` +
        'run host-os and cpu-features with driver libvirt',
    );
  const expanded = new Map<string, Set<string>>();
  for (const h of fact.hosts) {
    const f = lv.features[h];
    if (!Array.isArray(f))
      throw new HwqualError(
        'E_CONFIG',
        `pool ${pool}: ${h}'s libvirt did not expand ${lv.libvirt}: ${f?.error ?? 'not recorded'}`,
      );
    expanded.set(h, new Set(f));
  }
  const inModel = (f: string) => fact.hosts.every((h) => expanded.get(h)!.has(f));
  const flagsOf = (h: string) => r.hosts.find((x) => x.name === h)?.facts.cpu?.flags;
  // A host whose CPU flags the run did not record (a profile without /proc/cpuinfo, facts not gathered) is never
  // taken for one that lacks a feature: it is named apart, and the features are judged on the hosts that have flags.
  const flagsUnknown = fact.hosts.filter((h) => !flagsOf(h)?.length);
  const known = fact.hosts.filter((h) => !flagsUnknown.includes(h));
  const hostFlags = (h: string) => new Set((flagsOf(h) ?? []).map(libvirtFeatureName));
  const lacking = (f: string) => known.filter((h) => !hostFlags(h).has(f));
  // Features every host gives beyond the model (checked on each by pool-baseline) that Nova has a trait for. Nova
  // (virt_type = kvm) compares them with each host's own CPU: one that a host gives only by emulation (TCG's `max`)
  // is never written as an extra flag — nova-compute would refuse to start there — and is not offered.
  const beyondModel = [...new Set((fact.extraFeatures ?? []).map(libvirtFeatureName))]
    .filter((f) => TRAIT_FEATURES.has(f) && !inModel(f))
    .sort();
  const extraFlags = beyondModel.filter((f) => lacking(f).length === 0);
  const notOffered: PoolHandoff['notOffered'] = [];
  for (const f of [...TRAIT_FEATURES].sort()) {
    if (inModel(f) || extraFlags.includes(f)) continue;
    const lackedBy = lacking(f);
    if (lackedBy.length > 0 && (beyondModel.includes(f) || lackedBy.length < known.length))
      notOffered.push({ feature: f, trait: traitOf(f), lackedBy });
  }
  const sev = fact.hosts.map((h) => [h, ccState(r, h, 'sev')] as const);
  const sevEverywhere = sev.every(([, s]) => s === 'enabled');
  if (!sevEverywhere && sev.some(([, s]) => s === 'enabled'))
    notOffered.push({
      feature: 'sev',
      trait: 'HW_CPU_X86_AMD_SEV',
      lackedBy: sev.filter(([, s]) => s !== 'enabled').map(([h]) => h),
    });
  const traits: Record<string, string[]> = {};
  for (const h of fact.hosts) {
    const t = new Set(cpuFeaturesToTraits([...expanded.get(h)!, ...extraFlags]));
    // Nova sets it from the host's own SEV support (Host.supports_amd_sev), pool or not.
    if (ccState(r, h, 'sev') === 'enabled') t.add('HW_CPU_X86_AMD_SEV');
    const hostFacts = r.hosts.find((x) => x.name === h)?.facts.cpu;
    if ((hostFacts?.threadsPerCore ?? 1) > 1) t.add('HW_CPU_HYPERTHREADING');
    traits[h] = [...t].sort();
  }
  // The model and the extra flags are in every guest of the pool: no flavor is needed for them, and none is written —
  // Nova matches a flavor's `trait:…=required` against the cpu_models entries only (_match_cpu_model_by_flags), so
  // a flavor requiring an extra flag's trait schedules on the host and then fails to spawn ("No CPU model match
  // traits"; nova-guest on the lab showed it). With one model, the flavors are those of host features: SEV.
  const flavors: Flavor[] = [];
  if (sevEverywhere)
    flavors.push({
      feature: 'sev',
      extraSpecs: { 'hw:mem_encryption': 'True' },
      imageProperties: { hw_machine_type: 'q35', hw_firmware_type: 'uefi' },
    });
  const machine = fact.machineType && /^pc-/.test(fact.machineType) ? fact.machineType : undefined;
  return {
    pool,
    hosts: fact.hosts,
    provenBy,
    cpuModels: [{ libvirt: lv.libvirt, qemu: lv.qemu }],
    ...(lv.refusedByHostCpu?.length && {
      refusedModels: lv.refusedByHostCpu.map((m) => ({ libvirt: m.libvirt, hosts: m.hosts })),
    }),
    extraFlags,
    ...(machine ? { machineType: machine } : { machineNote: fact.machineType ?? 'not recorded' }),
    traits,
    flavors,
    notOffered,
    ...(flagsUnknown.length ? { flagsUnknown } : {}),
  };
}

function ccState(r: RunResults, host: string, feature: string): string | undefined {
  const cc = r.hosts.find((h) => h.name === host)?.facts.extra?.cc as Record<string, { state?: string }> | undefined;
  return cc?.[feature]?.state;
}
