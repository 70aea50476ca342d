import { CPUID_BITS } from './cpuid-bits.ts';

/**
 * x86 CPU feature names: QEMU's (query-cpu-model-expansion, -cpu X,+feat) ↔ Linux's (/proc/cpuinfo flags). Most are
 * the same up to `-`/`_`/`.`; the table holds the real renames (QEMU-NOTES.md "CPU models"). Pure.
 */
const QEMU_TO_LINUX: Record<string, string[]> = {
  sse3: ['pni'],
  pni: ['pni'],
  'sse4.1': ['sse4_1'],
  'sse4.2': ['sse4_2'],
  pclmuldq: ['pclmulqdq'],
  'tsc-deadline': ['tsc_deadline_timer'],
  avx512vnni: ['avx512_vnni'],
  avx512bitalg: ['avx512_bitalg'],
  avx512vbmi2: ['avx512_vbmi2'],
  cr8legacy: ['cr8_legacy'],
  xd: ['nx'],
  i64: ['lm'],
  ffxsr: ['fxsr_opt'],
  'pause-filter': ['pausefilter'],
  'tsx-ldtrk': ['tsxldtrk'],
  invtsc: ['constant_tsc', 'nonstop_tsc'],
  'kvm-pv-unhalt': [],
  'spec-ctrl': [],
};

/** Linux flags QEMU has no switch for (the kernel derives them or they describe the host, not the CPU model). */
export const LINUX_ONLY_FLAGS = new Set([
  'cpuid',
  'nopl',
  'rep_good',
  'tsc_known_freq',
  'xtopology',
  'extd_apicid',
  'vmmcall',
  'constant_tsc',
  'nonstop_tsc',
  'tsc_reliable',
  'arch_perfmon',
  'pebs',
  'bts',
  'aperfmperf',
  'eagerfpu',
  'ibrs_enhanced',
]);

/** Flags a guest kernel may drop although the CPU model has them (TSX off by default, MPX support removed). */
export const KERNEL_MAY_HIDE = new Set(['hle', 'rtm', 'mpx', 'la57', 'osxsave', 'ospke', 'pku', 'x2apic']);

const LINUX_REVERSE: Record<string, string> = Object.fromEntries(
  Object.entries(QEMU_TO_LINUX)
    .filter(([q]) => !['sse3', 'xd', 'i64', 'ffxsr', 'pclmuldq'].includes(q))
    .flatMap(([q, ls]) => ls.map((l) => [l, q])),
);

/** Linux flags that come from a CPUID bit (what a guest's /proc/cpuinfo can show for a model's feature). */
export const CPUID_LINUX_FLAGS: ReadonlySet<string> = new Set([
  ...Object.values(CPUID_BITS).flatMap((bits) => Object.values(bits)),
  'ibrs',
  'ibpb',
  'stibp',
  'ssbd',
  'constant_tsc',
  'nonstop_tsc',
]);

/** QEMU feature name → the Linux flag name(s); [] when Linux never prints it (kvm-*, hv-*, spec-ctrl…). */
export function qemuToLinux(name: string): string[] {
  const key = featureKey(name);
  const renamed = RENAMES.get(key);
  if (renamed) return renamed;
  if (/^(kvm|hv|x)-/.test(key)) return [];
  return [key.replace(/-/g, '_')];
}

/** One spelling for QEMU's aliases of a feature (`sse4_1`, `sse4-1`, `sse4.1` → `sse4-1`). */
export function featureKey(name: string): string {
  return name.toLowerCase().replace(/[_.]/g, '-');
}

const RENAMES = new Map(Object.entries(QEMU_TO_LINUX).map(([q, l]) => [featureKey(q), l]));

/** Linux flag name → QEMU's canonical feature name (constant_tsc and nonstop_tsc → invtsc). */
export function linuxToQemu(flag: string): string {
  if (LINUX_REVERSE[flag]) return LINUX_REVERSE[flag];
  return flag.replace(/_/g, '-');
}

/**
 * QEMU features (as expanded for a CPU model) → the Linux flags a guest kernel should show: those with a CPUID bit
 * Linux names. Flags the kernel may drop by policy are left out of `expected` and listed in `mayHide`.
 */
export function expectedGuestFlags(qemuFeatures: Iterable<string>): { expected: string[]; mayHide: string[] } {
  const expected = new Set<string>();
  const mayHide = new Set<string>();
  for (const f of qemuFeatures) {
    for (const l of qemuToLinux(f)) {
      if (!CPUID_LINUX_FLAGS.has(l)) continue;
      (KERNEL_MAY_HIDE.has(l) ? mayHide : expected).add(l);
    }
  }
  return { expected: [...expected].sort(), mayHide: [...mayHide].sort() };
}
