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
  VmDriver,
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
export { AssertionFailure, SkipCase, HwqualError } from '../model/errors.ts';
export { probe, probeStrict, probeOrSkip, readCommand, type ReadResult } from './probe.ts';
export { CMD } from '../probe/commands.ts';
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
export type { PoolBaseline } from '../probe/pool-baseline.ts';
export type { Transport } from '../transport/types.ts';
export { unmappableForLibvirt } from '../vm/migration/libvirt/flags.ts';
export { parseCryptsetupVersion, parseOpensshVersion, satisfies } from '../probe/versions.ts';
import type { SuiteDef } from './types.ts';

export function defineSuite(suite: SuiteDef): SuiteDef {
  return suite;
}
