/**
 * Whether the host itself runs under a hypervisor, and which: a lab host that is a VM is a legitimate setup, but its
 * topology, flags and DMI are what the hypervisor exposes, and the report must say so. Pure: what each source said
 * comes in, the kind and every piece of evidence go out.
 */
export interface VirtualisationInput {
  /** x86 CPU flags (/proc/cpuinfo or lscpu; Arm has no hypervisor flag: pass undefined there). */
  cpuFlags?: readonly string[];
  /** lscpu `Hypervisor vendor` (CPUID leaf 0x40000000). */
  lscpuHypervisor?: string;
  dmi?: { sysVendor?: string; productName?: string };
  /** `cat /sys/hypervisor/type` (Xen). */
  sysHypervisor?: string;
  /** `systemd-detect-virt --vm` (kvm, vmware, microsoft, xen, oracle, amazon, … or none). */
  detectVirt?: string;
}

export interface Virtualisation {
  /**
   * systemd-detect-virt's vocabulary (kvm, qemu, vmware, microsoft, xen, oracle, …), `hypervisor (kind unknown)`, or
   * `none`.
   */
  kind: string;
  /** What each source said, positive or negative. */
  evidence: string[];
}

const LSCPU_KIND: Record<string, string> = { kvm: 'kvm', vmware: 'vmware', microsoft: 'microsoft', xen: 'xen' };

/** DMI vendor/product of virtual platforms (bare-metal cloud instances, e.g. EC2 `*.metal`, are not among them). */
const DMI_KIND: Array<[RegExp, string]> = [
  [/VMware/i, 'vmware'],
  [/VirtualBox|innotek/i, 'oracle'],
  [/^Microsoft Corporation Virtual Machine$/i, 'microsoft'],
  [/HVM domU|^Xen\b/i, 'xen'],
  [/^QEMU\b|Standard PC \((Q35|i440FX)|\bKVM\b/i, 'qemu'],
  [/Google Compute Engine/i, 'google'],
  [/^Amazon EC2 (?!.*\.metal\b)/i, 'amazon'],
  [/OpenStack (Nova|Compute)/i, 'openstack'],
  [/Alibaba Cloud ECS/i, 'alibaba'],
  [/Parallels/i, 'parallels'],
  [/BHYVE/i, 'bhyve'],
  [/^Bochs\b/i, 'bochs'],
];

export function detectVirtualisation(i: VirtualisationInput): Virtualisation | undefined {
  const evidence: string[] = [];
  const kinds: string[] = [];
  const detect = i.detectVirt?.trim();
  if (detect) {
    evidence.push(`systemd-detect-virt --vm: ${detect}`);
    if (detect !== 'none') kinds.push(detect);
  }
  const vendor = i.lscpuHypervisor?.trim();
  if (vendor) {
    evidence.push(`lscpu Hypervisor vendor: ${vendor}`);
    kinds.push(LSCPU_KIND[vendor.toLowerCase()] ?? vendor.toLowerCase());
  }
  const dmi = [i.dmi?.sysVendor, i.dmi?.productName].filter(Boolean).join(' ');
  const dmiKind = dmi ? DMI_KIND.find(([re]) => re.test(dmi))?.[1] : undefined;
  if (dmiKind) {
    evidence.push(`DMI ${JSON.stringify(dmi)}`);
    kinds.push(dmiKind);
  }
  const sys = i.sysHypervisor?.trim();
  if (sys) {
    evidence.push(`/sys/hypervisor/type: ${sys}`);
    kinds.push(sys);
  }
  if (i.cpuFlags) {
    const flag = i.cpuFlags.includes('hypervisor');
    evidence.push(flag ? 'CPU flag hypervisor' : 'no hypervisor CPU flag');
    if (flag && !kinds.length) kinds.push('hypervisor (kind unknown)');
  }
  if (!evidence.length) return undefined;
  return { kind: kinds[0] ?? 'none', evidence };
}

/** The words a report adds to a value seen through a hypervisor; empty for a physical host or an unknown one. */
export function virtualNote(v: Virtualisation | undefined): string {
  return v && v.kind !== 'none' ? `as the ${v.kind} hypervisor exposes it` : '';
}
