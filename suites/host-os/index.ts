import { defineSuite } from '../../src/suite-api/index.ts';
import { libvirtDomcapsCase } from './libvirt-case.ts';
import { osCases } from './os-cases.ts';
import { hostOsRequire } from './require.ts';
import { toolCases } from './tool-cases.ts';
import { virtCases } from './virt-cases.ts';
import { vulnerabilityCases } from './vulnerability-cases.ts';

/**
 * The host's OS and virtualisation stack: OS and kernel, KVM, QEMU, libvirt, OpenSSH and cryptsetup versions, IOMMU,
 * hugepages, the kernel command line, and one case per CPU vulnerability the kernel reports. Read-only. Plan settings:
 * see require.ts.
 */
export default defineSuite({
  name: 'host-os',
  title: 'Host OS and virtualisation stack',
  description:
    'OS release, kernel, /dev/kvm and kvm modules, QEMU/libvirt/OpenSSH/cryptsetup versions, libvirt domain ' +
    'capabilities, IOMMU, hugepages, ' +
    'kernel command line, CPU vulnerabilities.',
  facts: ['security'],
  tags: ['host'],
  cases(host, plan) {
    const req = hostOsRequire(plan);
    return [
      ...osCases(req),
      ...virtCases(req),
      libvirtDomcapsCase(),
      ...toolCases(req),
      ...vulnerabilityCases(host, req),
    ];
  },
});
