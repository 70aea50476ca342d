/** The public API suites are written against. */
export type {
  CaseContext,
  CaseDef,
  Checks,
  HostInfo,
  PlanView,
  Requirement,
  SuiteDef,
  CaseExecOptions,
} from './types.ts';
export type { HostFacts, CpuFacts } from '../model/facts.ts';
export type {
  AccelChoice,
  ImageEntry,
  PlanMatrix,
  PlanRequire,
  PlanSettings,
  UserImageEntry,
} from '../config/types.ts';
export type { JsonSchema, PlanCheckInput, PlanPart, PlanProblem } from '../config/plan-parts.ts';
export { CC_FEATURES, type CcFeature } from '../probe/cc-features.ts';
export { BUILT_IN_IMAGES } from '../vm/images/recipes.ts';
export type { ExecResult } from '../model/exec.ts';
export type { Severity } from '../model/status.ts';
export { AssertionFailure, SkipCase, HwqualError, errorCodeOf, messageOf } from '../model/errors.ts';
export { probe, probeStrict, probeOrSkip, readCommand, type ReadResult } from './probe.ts';
export { parseCryptsetupVersion, parseOpensshVersion, satisfies } from '../probe/versions.ts';
export {
  loadQualified,
  hostDrift,
  formatDriftTable,
  driftMessage,
  type HostDrift,
  type DriftOptions,
} from '../drift/index.ts';
import type { SuiteDef } from './types.ts';

export function defineSuite(suite: SuiteDef): SuiteDef {
  return suite;
}
// CPU pools: the catalog vendor of a CPU (pools are formed by vendor).
export { modelVendorOf } from '../probe/pool-rank.ts';
// Virtual hosts: whether a host is a VM, and the words a check adds for values a hypervisor exposes.
export { detectVirtualisation, virtualNote, type Virtualisation } from '../probe/virtualisation.ts';
// Why a host fact is unknown ("not recorded in <profile>: uname -m", or the command's own error).
export { joinWhy, whyFactUnknown } from '../probe/fact-sources.ts';
// Topology cross-check, and the readers the CPU cases share.
export { checkTopology } from '../probe/topology.ts';
export { cpuinfoTopology } from '../probe/cpuinfo.ts';
export { parseLscpuText } from '../probe/lscpu.ts';
export { CMD } from '../probe/commands.ts';
