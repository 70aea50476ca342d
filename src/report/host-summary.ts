import type { HostResult } from '../model/result.ts';

/** The host facts a reviewer reads, as short strings ('' when unknown). Used by the HTML and Markdown reports. */
export interface HostSummary {
  os: string;
  kernel: string;
  qemu: string;
  cpu: string;
  bios: string;
  product: string;
}

export function hostSummary(h: HostResult | undefined): HostSummary {
  const f = h?.facts ?? {};
  return {
    os: f.os?.prettyName ?? [f.os?.id, f.os?.versionId].filter(Boolean).join(' '),
    kernel: f.kernel?.release ?? '',
    qemu: f.qemu?.version ?? '',
    // A lab host that is a VM says so: its CPU is what the hypervisor exposes.
    cpu: [f.cpu?.modelName, f.virtualised && f.virtualised.kind !== 'none' ? `(in a ${f.virtualised.kind} VM)` : '']
      .filter(Boolean)
      .join(' '),
    bios: [f.dmi?.biosVendor, f.dmi?.biosVersion, f.dmi?.biosDate].filter(Boolean).join(' '),
    product: [f.dmi?.sysVendor, f.dmi?.productName].filter(Boolean).join(' '),
  };
}
