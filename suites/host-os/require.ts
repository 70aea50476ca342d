import type { PlanView } from '../../src/suite-api/index.ts';

/**
 * What the plan's `require:` block may say to this suite (all optional; schema and types in plan-schema.ts):
 *   qemu: ">=7.2"              version range for QEMU (>=, >, <=, <, =; several separated by spaces)
 *   libvirt: ">=9.0"           version range for libvirt, when installed
 *   openssh: ">=9.2"           version range for the host's OpenSSH (`ssh -V`)
 *   cryptsetup: ">=2.6"        version range for the host's cryptsetup
 *   kernel: ">=6.1"            version range for the running kernel release
 *   os: { id: debian, versionId: "12" }
 *   kvm: false                 do not require /dev/kvm and a kvm_intel/kvm_amd module (default: required)
 *   nested: true               require nested virtualisation on in kvm_intel/kvm_amd
 *   iommu: false               do not require an enabled IOMMU (default: required)
 *   hugepages: { min: 1024, sizeKiB: 1048576 } or a number (= min)
 *   kernelCmdline: ["intel_iommu=on", "iommu=pt"]
 *   vulnerabilities: { allow: ["spec_store_bypass"] }   entries allowed to read "Vulnerable"
 */
export interface HostOsRequire {
  qemu?: string;
  libvirt?: string;
  openssh?: string;
  cryptsetup?: string;
  kernel?: string;
  os?: { id?: string; versionId?: string };
  kvm?: boolean;
  nested?: boolean;
  iommu?: boolean;
  hugepages?: { min?: number; sizeKiB?: number };
  kernelCmdline: string[];
  vulnerabilities: { allow: string[] };
}

export function hostOsRequire(plan: PlanView): HostOsRequire {
  const r = plan.require;
  const str = (v: string | number | undefined) => (v === undefined ? undefined : String(v));
  const hp = r.hugepages;
  return {
    qemu: str(r.qemu),
    libvirt: str(r.libvirt),
    openssh: str(r.openssh),
    cryptsetup: str(r.cryptsetup),
    kernel: str(r.kernel),
    os: r.os ? { id: r.os.id, versionId: str(r.os.versionId) } : undefined,
    kvm: r.kvm,
    nested: r.nested,
    iommu: r.iommu,
    hugepages: typeof hp === 'number' ? { min: hp } : hp,
    kernelCmdline: r.kernelCmdline === undefined ? [] : [r.kernelCmdline].flat(),
    vulnerabilities: { allow: r.vulnerabilities?.allow ?? [] },
  };
}
