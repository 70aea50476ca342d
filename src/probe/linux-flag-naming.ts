/**
 * Which Linux releases print which CPUID flag of the CPUID_BITS table in /proc/cpuinfo. A CPU can have a feature the
 * guest's kernel does not name: the kernel predates the name, or it keeps the bit without printing it (a `""` comment
 * in arch/x86/include/asm/cpufeatures.h up to 6.11, no quoted name from 6.12 on). Pure.
 *
 * Verified, not remembered: arch/x86/include/asm/cpufeatures.h of four Debian kernel releases (the
 * linux-headers-*-common packages): 5.10.223-1 (bullseye), 6.1.192-3 (bookworm, the tiny guest's kernel),
 * 6.12.117-1 (trixie), 7.2.13-1 (sid). A flag not listed here is printed by all four. Each entry gives the newest
 * checked release that does not print it, and the oldest that does (none: no checked release prints it).
 */
export interface FlagNaming {
  /** The newest checked release (major.minor) whose /proc/cpuinfo does not print the flag. */
  notNamedThrough: string;
  /** The oldest checked release that prints it; absent when none does. */
  namedFrom?: string;
}

/** The releases checked, oldest first. Below the oldest, only what a newer release lacks is known. */
export const CHECKED_RELEASES = ['5.10', '6.1', '6.12', '7.2'] as const;

const FROM_6_1: FlagNaming = { notNamedThrough: '5.10', namedFrom: '6.1' };
const FROM_6_12: FlagNaming = { notNamedThrough: '6.1', namedFrom: '6.12' };
const NEVER: FlagNaming = { notNamedThrough: '7.2' };

export const LINUX_FLAG_NAMING: Readonly<Record<string, FlagNaming>> = {
  // Not in 5.10.223's cpufeatures.h; printed by 6.1.192 and later.
  sgx: FROM_6_1,
  sgx_lc: FROM_6_1,
  bus_lock_detect: FROM_6_1,
  ibt: FROM_6_1,
  avx_vnni: FROM_6_1,
  avx512_fp16: FROM_6_1,
  amx_bf16: FROM_6_1,
  amx_tile: FROM_6_1,
  amx_int8: FROM_6_1,
  v_spec_ctrl: FROM_6_1,
  // Not in 6.1.192's; printed by 6.12.117 ("lam", "sev_snp") and 7.2.13. LAM (commit 6449dcb0cac7, "x86: CPUID and
  // CR3/CR4 flags for Linear Address Masking") was printable in the v6.4-rc tree (perf's cpufeatures.h sync of
  // 2023-05-17 on LKML); hwqual goes by the releases it checked, so 6.2–6.11 count as unknown.
  lam: FROM_6_12,
  sev_snp: FROM_6_12,
  // Defined, never printed. CMPCCXADD, AMX_FP16 and AVX_IFMA: absent in 6.1.192, `""` in v6.2-rc1 where they first
  // appear (its cpufeatures.h, blob 61012476d66e, is the context of Kan Liang's ARCH_PERFMON_EXT patch v2 on LKML;
  // AMX-FP16's own patch says "hide this one in /proc/cpuinfo"). FZRM, FSRS, FSRC (commit f8df91e73a68,
  // "x86/cpufeatures: Add macros for Intel's new fast rep string features") and LKGS: `""` in the same perf sync
  // (v6.4-rc). 6.12.117 and 7.2.13 give none of them a quoted name. XFD and HYBRID_CPU: absent in 5.10.223, `""` in
  // 6.1.192, unquoted in 6.12.117 and 7.2.13. A torvalds/linux cpufeatures.h between those (commit baf8361e5455, with
  // ZEN5 and SRSO_NO) has `""` on all nine.
  cmpccxadd: NEVER,
  fzrm: NEVER,
  fsrs: NEVER,
  fsrc: NEVER,
  lkgs: NEVER,
  amx_fp16: NEVER,
  avx_ifma: NEVER,
  xfd: NEVER,
  hybrid_cpu: NEVER,
};

/** `6.1.0-57-cloud-amd64`, `6.12.38+deb13-amd64`, `5.10` → major and minor; undefined when it is not a release. */
export function kernelRelease(uname: string | undefined): { major: number; minor: number } | undefined {
  const m = uname === undefined ? null : /^(\d+)\.(\d+)(?:[.\-+~_]|$)/.exec(uname.trim());
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

function atMost(k: { major: number; minor: number }, release: string): boolean {
  const r = kernelRelease(release)!;
  return k.major < r.major || (k.major === r.major && k.minor <= r.minor);
}

/**
 * Whether a guest running `kernel` (its `uname -r`) cannot print `flag` in /proc/cpuinfo: its release is at most the
 * newest checked release that does not. False when the kernel is unknown or unparsable, or newer than what was
 * checked: the flag then stays required.
 */
export function kernelDoesNotName(flag: string, kernel: string | undefined): boolean {
  const naming = LINUX_FLAG_NAMING[flag];
  const k = kernelRelease(kernel);
  return Boolean(naming && k && atMost(k, naming.notNamedThrough));
}
