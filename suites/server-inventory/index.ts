import { defineSuite } from '../../src/suite-api/index.ts';
import { cpuCases } from './cpu-cases.ts';
import { platformCases } from './platform-cases.ts';
import { resourceCases } from './resource-cases.ts';

/**
 * What the server is: vendor, product, BIOS, microcode, CPUs, NUMA, memory, disks and NICs, each compared with the
 * host's `expect:` in the lab file. Every value goes to the report; with nothing expected a case passes, recording it.
 * `expect.cpu.cores` counts the cores of all sockets, `expect.cpu.threads` the logical CPUs, `expect.cpu.model` is a
 * regular expression, `expect.memoryGiB` is compared with MemTotal (a little below the installed DIMMs).
 */
export default defineSuite({
  name: 'server-inventory',
  title: 'Server inventory',
  description:
    "Vendor, product, BIOS, microcode, CPU topology and flags, NUMA, memory, disks and NICs against the lab's " +
    'expectations.',
  // It probes the host with its own commands and reads only `virtualised` (virt) of the facts; it also declares the
  // inventory's own groups so that a run qualifying a host's inventory records them (what `hwqual drift` compares).
  facts: ['cpu', 'memory', 'firmware', 'virt'],
  tags: ['host', 'inventory'],
  cases(host) {
    return [...platformCases(host.expect), ...cpuCases(host.expect), ...resourceCases(host.expect)];
  },
});
