/**
 * The CPU traits nova-compute reports to placement, as Nova computes them (nova/virt/libvirt/utils.py): each libvirt
 * CPU feature name of CPU_TRAITS_MAPPING stands for one os-traits trait (two for svm and vmx, the old generic one
 * kept). The table is Nova's, in Nova's order; test/unit/openstack-traits.test.ts holds it equal to Debian's
 * python3-nova. Pure.
 */
export const NOVA_CPU_TRAITS: ReadonlyArray<readonly [feature: string, traits: readonly string[]]> = [
  ['3dnow', ['HW_CPU_X86_3DNOW']],
  ['abm', ['HW_CPU_X86_ABM']],
  ['aes', ['HW_CPU_X86_AESNI']],
  ['avx', ['HW_CPU_X86_AVX']],
  ['avx2', ['HW_CPU_X86_AVX2']],
  ['avx512bw', ['HW_CPU_X86_AVX512BW']],
  ['avx512cd', ['HW_CPU_X86_AVX512CD']],
  ['avx512dq', ['HW_CPU_X86_AVX512DQ']],
  ['avx512er', ['HW_CPU_X86_AVX512ER']],
  ['avx512f', ['HW_CPU_X86_AVX512F']],
  ['avx512pf', ['HW_CPU_X86_AVX512PF']],
  ['avx512vl', ['HW_CPU_X86_AVX512VL']],
  ['avx512vnni', ['HW_CPU_X86_AVX512VNNI']],
  ['avx512vbmi', ['HW_CPU_X86_AVX512VBMI']],
  ['avx512ifma', ['HW_CPU_X86_AVX512IFMA']],
  ['avx512vbmi2', ['HW_CPU_X86_AVX512VBMI2']],
  ['avx512bitalg', ['HW_CPU_X86_AVX512BITALG']],
  ['vaes', ['HW_CPU_X86_AVX512VAES']],
  ['gfni', ['HW_CPU_X86_AVX512GFNI']],
  ['vpclmulqdq', ['HW_CPU_X86_AVX512VPCLMULQDQ']],
  ['avx512-vpopcntdq', ['HW_CPU_X86_AVX512VPOPCNTDQ']],
  ['bmi1', ['HW_CPU_X86_BMI']],
  ['bmi2', ['HW_CPU_X86_BMI2']],
  ['pclmuldq', ['HW_CPU_X86_CLMUL']],
  ['f16c', ['HW_CPU_X86_F16C']],
  ['fma', ['HW_CPU_X86_FMA3']],
  ['fma4', ['HW_CPU_X86_FMA4']],
  ['mmx', ['HW_CPU_X86_MMX']],
  ['mpx', ['HW_CPU_X86_MPX']],
  ['sha-ni', ['HW_CPU_X86_SHA']],
  ['sse', ['HW_CPU_X86_SSE']],
  ['sse2', ['HW_CPU_X86_SSE2']],
  ['sse3', ['HW_CPU_X86_SSE3']],
  ['sse4.1', ['HW_CPU_X86_SSE41']],
  ['sse4.2', ['HW_CPU_X86_SSE42']],
  ['sse4a', ['HW_CPU_X86_SSE4A']],
  ['ssse3', ['HW_CPU_X86_SSSE3']],
  ['svm', ['HW_CPU_X86_SVM', 'HW_CPU_X86_AMD_SVM']],
  ['tbm', ['HW_CPU_X86_TBM']],
  ['vmx', ['HW_CPU_X86_VMX', 'HW_CPU_X86_INTEL_VMX']],
  ['xop', ['HW_CPU_X86_XOP']],
];

const BY_FEATURE = new Map(NOVA_CPU_TRAITS);

/**
 * Nova's cpu_features_to_traits(): the traits set for a set of libvirt feature names, sorted (Nova reports the others
 * as not set). Features with no trait are left out.
 */
export function cpuFeaturesToTraits(libvirtFeatures: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const f of libvirtFeatures) for (const t of BY_FEATURE.get(f) ?? []) out.add(t);
  return [...out].sort();
}

/** The libvirt feature a trait stands for (Nova's TRAITS_CPU_MAPPING), for a flavor's `trait:…=required`. */
export function traitFeature(trait: string): string | undefined {
  return NOVA_CPU_TRAITS.find(([, traits]) => traits.includes(trait))?.[0];
}
