import type { CpuModelCaps } from './domcaps.ts';
import { canonicalFeature, type CpuModelDef } from './qmp-cpu.ts';

/**
 * QEMU's CPU model and feature names → the names a host's libvirt accepts. hwqual's own baselines speak QEMU
 * (`Westmere-v1`, from query-cpu-definitions); libvirt 9.0 (Debian 12) knows no versioned name at all ("Unknown CPU
 * model Westmere-v1") while libvirt 11.3 (Debian 13) lists both, with `canonical='Westmere-v1'` on the alias. So
 * every name handed to libvirt goes through here: the host's own list (its domcapabilities' custom models) decides,
 * QEMU's `alias-of` says which unversioned name stands for a version. Pure: plain data in and out, for the driver,
 * the pool-baseline comparison and Nova's `cpu_models` alike.
 */
export type LibvirtNameVia = 'same' | 'alias-of' | 'unversioned -v1';

export type LibvirtName = { name: string; via: LibvirtNameVia } | { name?: undefined; problem: string };

/** `Westmere-v1` → `Westmere` where the host's libvirt lists only the latter (and QEMU says it is its alias). */
export function libvirtModelName(
  qemuName: string,
  libvirtModels: readonly Pick<CpuModelCaps, 'name' | 'canonical'>[],
  qemuDefs?: readonly Pick<CpuModelDef, 'name' | 'aliasOf'>[],
): LibvirtName {
  const known = new Set(libvirtModels.map((m) => m.name));
  if (known.has(qemuName)) return { name: qemuName, via: 'same' };
  const alias = qemuDefs?.find((d) => d.aliasOf === qemuName && known.has(d.name));
  if (alias) return { name: alias.name, via: 'alias-of' };
  // Without QEMU's answer: an x86 model's unversioned name is QEMU's alias of its -v1.
  const v1 = /^(.+)-v1$/.exec(qemuName)?.[1];
  if (!qemuDefs && v1 && known.has(v1)) return { name: v1, via: 'unversioned -v1' };
  const version = /-v(\d+)$/.exec(qemuName);
  return {
    problem:
      `libvirt on this host has no CPU model named ${qemuName}` +
      (version
        ? ` nor an unversioned alias of it (${libvirtModels.length} models listed; QEMU aliases unversioned names ` +
          'to -v1 only, so a later version has no name libvirt 9.0 accepts)'
        : ` (${libvirtModels.length} models listed)`),
  };
}

/**
 * The QEMU name a libvirt model name stands for: its `canonical` (libvirt ≥ 10), QEMU's alias-of, or `<name>-v1`
 * for an unversioned x86 name when neither is known; a versioned or unknown name as it is. Two names of the same
 * model (Westmere, Westmere-v1) give the same answer. Pure.
 */
export function qemuModelName(
  libvirtName: string,
  libvirtModels: readonly Pick<CpuModelCaps, 'name' | 'canonical'>[] = [],
  qemuDefs?: readonly Pick<CpuModelDef, 'name' | 'aliasOf'>[],
): string {
  const canonical = libvirtModels.find((m) => m.name === libvirtName)?.canonical;
  if (canonical) return canonical;
  const alias = qemuDefs?.find((d) => d.name === libvirtName)?.aliasOf;
  if (alias) return alias;
  if (/-v\d+$/.test(libvirtName) || qemuDefs?.some((d) => d.name === libvirtName)) return libvirtName;
  return `${libvirtName}-v1`;
}

/**
 * QEMU feature names libvirt spells differently (libvirt's src/cpu_map/x86_features.xml keeps the Linux /
 * historical spelling); every other name is the same in both.
 */
const LIBVIRT_FEATURE: Readonly<Record<string, string>> = {
  pclmulqdq: 'pclmuldq',
  'lahf-lm': 'lahf_lm',
  'cmp-legacy': 'cmp_legacy',
  'fxsr-opt': 'fxsr_opt',
  'nodeid-msr': 'nodeid_msr',
  'perfctr-core': 'perfctr_core',
  'perfctr-nb': 'perfctr_nb',
  'ds-cpl': 'ds_cpl',
  'tsc-adjust': 'tsc_adjust',
};
const QEMU_FEATURE = Object.fromEntries(Object.entries(LIBVIRT_FEATURE).map(([q, l]) => [l, q]));

export function libvirtFeatureName(qemuFeature: string): string {
  const c = canonicalFeature(qemuFeature);
  return LIBVIRT_FEATURE[c] ?? c;
}

export function qemuFeatureName(libvirtFeature: string): string {
  return QEMU_FEATURE[libvirtFeature] ?? canonicalFeature(libvirtFeature);
}

/**
 * One name every host of a pool accepts for the QEMU model — what a migrating domain must carry, since libvirt
 * compares the CPU model by name when it checks the destination's XML: `Westmere-v1` is `Westmere` on a pool of
 * libvirt 9.0 and 11.3 (11.3 takes both). Pure.
 */
export function poolLibvirtModelName(
  qemuName: string,
  pool: ReadonlyArray<{ host: string; models: readonly Pick<CpuModelCaps, 'name' | 'canonical'>[] }>,
  qemuDefs?: readonly Pick<CpuModelDef, 'name' | 'aliasOf'>[],
): LibvirtName {
  const mapped = pool.map((h) => ({ host: h.host, m: libvirtModelName(qemuName, h.models, qemuDefs) }));
  const bad = mapped.filter((x) => x.m.name === undefined);
  if (bad.length) return { problem: bad.map((x) => `${x.host}: ${'problem' in x.m ? x.m.problem : ''}`).join('; ') };
  const everywhere = (name: string) => pool.every((h) => h.models.some((m) => m.name === name));
  const pick = mapped.find((x) => everywhere(x.m.name!));
  if (pick) return pick.m as LibvirtName;
  const names = mapped.map((x) => `${x.host} calls it ${x.m.name}`).join(', ');
  return { problem: `no one name for ${qemuName} on every host: ${names}` };
}
