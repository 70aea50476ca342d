/**
 * CPUID feature bits → the names Linux prints in /proc/cpuinfo (arch/x86/include/asm/cpufeatures.h).
 * Keyed by `leaf:subleaf:register`. Bits Linux hides ("" names) are left out; see `synthesizedFlags` for the
 * flags Linux derives from vendor-specific bits.
 */
type BitNames = Record<number, string>;

export const CPUID_BITS: Record<string, BitNames> = {
  // Leaf 1 EDX (word 0)
  '0x1:0:edx': {
    0: 'fpu', 1: 'vme', 2: 'de', 3: 'pse', 4: 'tsc', 5: 'msr', 6: 'pae', 7: 'mce', 8: 'cx8', 9: 'apic', 11: 'sep',
    12: 'mtrr', 13: 'pge', 14: 'mca', 15: 'cmov', 16: 'pat', 17: 'pse36', 18: 'pn', 19: 'clflush', 21: 'dts',
    22: 'acpi', 23: 'mmx', 24: 'fxsr', 25: 'sse', 26: 'sse2', 27: 'ss', 28: 'ht', 29: 'tm', 30: 'ia64', 31: 'pbe',
  },
  // Leaf 1 ECX (word 4); bit 27 OSXSAVE is hidden
  '0x1:0:ecx': {
    0: 'pni', 1: 'pclmulqdq', 2: 'dtes64', 3: 'monitor', 4: 'ds_cpl', 5: 'vmx', 6: 'smx', 7: 'est', 8: 'tm2',
    9: 'ssse3', 10: 'cid', 11: 'sdbg', 12: 'fma', 13: 'cx16', 14: 'xtpr', 15: 'pdcm', 17: 'pcid', 18: 'dca',
    19: 'sse4_1', 20: 'sse4_2', 21: 'x2apic', 22: 'movbe', 23: 'popcnt', 24: 'tsc_deadline_timer', 25: 'aes',
    26: 'xsave', 28: 'avx', 29: 'f16c', 30: 'rdrand', 31: 'hypervisor',
  },
  // Leaf 6 EAX (word 14)
  '0x6:0:eax': {
    0: 'dtherm', 1: 'ida', 2: 'arat', 4: 'pln', 6: 'pts', 7: 'hwp', 8: 'hwp_notify', 9: 'hwp_act_window',
    10: 'hwp_epp', 11: 'hwp_pkg_req',
  },
  // Leaf 7.0 EBX (word 9)
  '0x7:0:ebx': {
    0: 'fsgsbase', 1: 'tsc_adjust', 2: 'sgx', 3: 'bmi1', 4: 'hle', 5: 'avx2', 7: 'smep', 8: 'bmi2', 9: 'erms',
    10: 'invpcid', 11: 'rtm', 12: 'cqm', 14: 'mpx', 15: 'rdt_a', 16: 'avx512f', 17: 'avx512dq', 18: 'rdseed',
    19: 'adx', 20: 'smap', 21: 'avx512ifma', 23: 'clflushopt', 24: 'clwb', 25: 'intel_pt', 26: 'avx512pf',
    27: 'avx512er', 28: 'avx512cd', 29: 'sha_ni', 30: 'avx512bw', 31: 'avx512vl',
  },
  // Leaf 7.0 ECX (word 16)
  '0x7:0:ecx': {
    1: 'avx512vbmi', 2: 'umip', 3: 'pku', 4: 'ospke', 5: 'waitpkg', 6: 'avx512_vbmi2', 8: 'gfni', 9: 'vaes',
    10: 'vpclmulqdq', 11: 'avx512_vnni', 12: 'avx512_bitalg', 13: 'tme', 14: 'avx512_vpopcntdq', 16: 'la57',
    22: 'rdpid', 24: 'bus_lock_detect', 25: 'cldemote', 27: 'movdiri', 28: 'movdir64b', 29: 'enqcmd', 30: 'sgx_lc',
  },
  // Leaf 7.0 EDX (word 18); spec_ctrl (26), intel_stibp (27) and spec_ctrl_ssbd (31) are hidden by current kernels
  '0x7:0:edx': {
    2: 'avx512_4vnniw', 3: 'avx512_4fmaps', 4: 'fsrm', 8: 'avx512_vp2intersect', 10: 'md_clear', 14: 'serialize',
    15: 'hybrid_cpu', 16: 'tsxldtrk', 18: 'pconfig', 19: 'arch_lbr', 20: 'ibt', 22: 'amx_bf16', 23: 'avx512_fp16',
    24: 'amx_tile', 25: 'amx_int8', 28: 'flush_l1d', 29: 'arch_capabilities',
  },
  // Leaf 7.1 EAX (word 12)
  '0x7:1:eax': {
    4: 'avx_vnni', 5: 'avx512_bf16', 7: 'cmpccxadd', 10: 'fzrm', 11: 'fsrs', 12: 'fsrc', 18: 'lkgs', 21: 'amx_fp16',
    23: 'avx_ifma', 26: 'lam',
  },
  // Leaf 0xd.1 EAX (word 10)
  '0xd:1:eax': { 0: 'xsaveopt', 1: 'xsavec', 2: 'xgetbv1', 3: 'xsaves', 4: 'xfd' },
  // 0x80000001 EDX (word 1)
  '0x80000001:0:edx': {
    11: 'syscall', 19: 'mp', 20: 'nx', 22: 'mmxext', 25: 'fxsr_opt', 26: 'pdpe1gb', 27: 'rdtscp', 29: 'lm',
    30: '3dnowext', 31: '3dnow',
  },
  // 0x80000001 ECX (word 6)
  '0x80000001:0:ecx': {
    0: 'lahf_lm', 1: 'cmp_legacy', 2: 'svm', 3: 'extapic', 4: 'cr8_legacy', 5: 'abm', 6: 'sse4a', 7: 'misalignsse',
    8: '3dnowprefetch', 9: 'osvw', 10: 'ibs', 11: 'xop', 12: 'skinit', 13: 'wdt', 15: 'lwp', 16: 'fma4', 17: 'tce',
    19: 'nodeid_msr', 21: 'tbm', 22: 'topoext', 23: 'perfctr_core', 24: 'perfctr_nb', 26: 'bpext', 27: 'ptsc',
    28: 'perfctr_llc', 29: 'mwaitx',
  },
  // 0x80000007 EBX (word 17)
  '0x80000007:0:ebx': { 0: 'overflow_recov', 1: 'succor', 3: 'smca' },
  // 0x80000008 EBX (word 13); the AMD speculation-control bits are mapped in synthesizedFlags
  '0x80000008:0:ebx': { 0: 'clzero', 1: 'irperf', 2: 'xsaveerptr', 4: 'rdpru', 9: 'wbnoinvd', 23: 'amd_ppin', 25: 'virt_ssbd' },
  // 0x8000000a EDX (word 15, AMD SVM features)
  '0x8000000a:0:edx': {
    0: 'npt', 1: 'lbrv', 2: 'svm_lock', 3: 'nrip_save', 4: 'tsc_scale', 5: 'vmcb_clean', 6: 'flushbyasid',
    7: 'decodeassists', 10: 'pausefilter', 12: 'pfthreshold', 13: 'avic', 15: 'v_vmsave_vmload', 16: 'vgif',
    20: 'v_spec_ctrl',
  },
  // 0x8000001f EAX (AMD memory encryption). Linux shows these only when firmware enabled them; here: capability.
  '0x8000001f:0:eax': { 0: 'sme', 1: 'sev', 3: 'sev_es', 4: 'sev_snp' },
};

/** Flags Linux sets from bits in more than one place (cpu/scattered.c, bugs.c). `bit(leaf, sub, reg, n)`. */
export function synthesizedFlags(bit: (key: string, n: number) => boolean): string[] {
  const out: string[] = [];
  const intelSpecCtrl = bit('0x7:0:edx', 26);
  if (intelSpecCtrl || bit('0x80000008:0:ebx', 14)) out.push('ibrs');
  if (intelSpecCtrl || bit('0x80000008:0:ebx', 12)) out.push('ibpb');
  if (bit('0x7:0:edx', 27) || bit('0x80000008:0:ebx', 15)) out.push('stibp');
  if (bit('0x7:0:edx', 31) || bit('0x80000008:0:ebx', 24)) out.push('ssbd');
  if (bit('0x80000007:0:edx', 9)) out.push('cpb');
  if (bit('0x80000007:0:edx', 8)) out.push('constant_tsc', 'nonstop_tsc');
  return out;
}
