/**
 * Suite API: the commands hwqual reads hosts with (CMD) and the pure parsers from their output to facts (src/probe).
 */
export { CMD, CMD_ROOT } from '../probe/commands.ts';
export { parseCmdline, cmdlineHas } from '../probe/cmdline.ts';
export { cpuinfoTopology, parseCpuinfo } from '../probe/cpuinfo.ts';
export { parseLscpuJson, parseLscpuText, type LscpuFacts } from '../probe/lscpu.ts';
export { parseMeminfo } from '../probe/meminfo.ts';
export { parseOsRelease } from '../probe/os-release.ts';
export { parseDmiSysfs, parseDmidecode, type DmiFacts, type DmidecodeFacts } from '../probe/dmi.ts';
export { parseIpLink } from '../probe/ip-link.ts';
export { parseLsblk } from '../probe/lsblk.ts';
export { parseKvmDevice, parseKvmParams, paramEnabled } from '../probe/kvm.ts';
export { countIommuGroups, countNumaNodes } from '../probe/listing.ts';
export { parsePathListing } from '../probe/text.ts';
export {
  parseCryptsetupVersion,
  parseLibvirtVersion,
  parseOpensshVersion,
  parseQemuVersion,
  satisfies,
} from '../probe/versions.ts';
export { parseVulnerabilities, classifyVulnerability } from '../probe/vulnerabilities.ts';
export { parseProcCrypto, bestDriver, type CryptoAlg } from '../probe/crypto.ts';
export {
  parseLuksDump,
  parseLuksScript,
  parseCryptsetupBenchmark,
  benchmarkUnsupportedReason,
  type LuksDumpSummary,
  type LuksStep,
} from '../probe/luks.ts';
export {
  detectCcFeatures,
  missingCcFeatures,
  type CcFact,
  type CcFeature,
  type CcInputs,
  type QmpOutcome,
} from '../probe/cc-features.ts';
export { loadCpuCatalog } from '../probe/cpu-catalog-file.ts';
export { checkGeneration, cpuIdentity } from '../probe/cpu-generation.ts';
export { computePoolBaseline, type Expansion, type PoolBaseline, type PoolHost } from '../probe/pool-baseline.ts';
export {
  machineTypes,
  newestMachine,
  newestUsablePerVendor,
  unknownModelReason,
  usableNamedModels,
} from '../probe/qmp-cpu.ts';
export { parseGuestFacts, type GuestFacts } from '../probe/guest-facts.ts';
export {
  checkGuestFlags,
  describeFlagMismatch,
  describeNotNamed,
  parseCpuSpec,
  recordFlagCheck,
} from '../probe/guest-flag-check.ts';
// CPU pools: the catalog vendor of a CPU (pools are formed by vendor).
export { modelVendorOf } from '../probe/pool-rank.ts';
// Virtual hosts: whether a host is a VM, and the words a check adds for values a hypervisor exposes.
export { detectVirtualisation, virtualNote, type Virtualisation } from '../probe/virtualisation.ts';
// Why a host fact is unknown ("not recorded in <profile>: uname -m", or the command's own error).
export { joinWhy, whyFactUnknown } from '../probe/fact-sources.ts';
// Topology cross-check.
export { checkTopology } from '../probe/topology.ts';
// libvirt: domain capabilities, machine types, the QEMU↔libvirt CPU model names and the baseline comparison.
export { parseDomCapabilities, type DomCapabilities } from '../probe/domcaps.ts';
export { parseCapabilitiesMachines, type LibvirtMachine } from '../probe/libvirt-caps.ts';
export { libvirtModelName, poolLibvirtModelName, qemuModelName } from '../probe/libvirt-names.ts';
export {
  baselineInput,
  compareBaselines,
  hostModelCpu,
  namedCpu,
  parseBaselineCpu,
  type BaselineAnswer,
} from '../probe/libvirt-baseline.ts';
