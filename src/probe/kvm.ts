import { parsePathListing } from './text.ts';

export interface KvmModuleParams {
  module: 'kvm_intel' | 'kvm_amd';
  params: Record<string, string>;
  nested?: string;
  /** kvm_intel `ept`, kvm_amd `npt`. */
  ept?: string;
  npt?: string;
}

/** `grep -s . /sys/module/kvm_{intel,amd}/parameters/*` output. Undefined when nothing was listed. */
export function parseKvmParams(module: 'kvm_intel' | 'kvm_amd', text: string): KvmModuleParams | undefined {
  const params = parsePathListing(text);
  if (!Object.keys(params).length) return undefined;
  const r: KvmModuleParams = { module, params };
  if (params.nested !== undefined) r.nested = params.nested;
  if (module === 'kvm_intel' && params.ept !== undefined) r.ept = params.ept;
  if (module === 'kvm_amd' && params.npt !== undefined) r.npt = params.npt;
  return r;
}

/** Module parameter booleans read Y/N (kvm_intel) or 1/0 (kvm_amd). */
export function paramEnabled(value: string | undefined): boolean {
  return value !== undefined && /^(y|1|yes|on)$/i.test(value.trim());
}

/** `ls -l /dev/kvm` → whether it is a character device. */
export function parseKvmDevice(lsOutput: string): boolean {
  return /^c/.test(lsOutput.trim());
}
