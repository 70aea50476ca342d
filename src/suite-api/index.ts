/**
 * The public API suites are written against: the only door from suites/ into hwqual (test/unit/boundaries.test.ts
 * holds every suite to it). This file is the core — defining a suite, its context, checks and errors, reading
 * commands; the rooms behind the door each have a barrel of their own: `parsers.ts` (command output → facts),
 * `vm.ts` (QEMU guests, QMP, images) and `migration.ts` (live migration). Barrels only re-export; the few types the
 * API owns are in types.ts.
 */
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
export type { ExecResult, RootNeed } from '../model/exec.ts';
export type { CaseChart, Sample } from '../model/result.ts';
export { byDirection, directionOf } from '../model/samples.ts';
export {
  distribution,
  isMaximum,
  nearestRank,
  STATISTICS,
  type Distribution,
  type Statistic,
} from '../model/percentiles.ts';
export {
  CRYPTO_FACTS,
  NOT_JUDGED_TCG,
  type GuestCryptoFact,
  type GuestCryptoGate,
  type HostCryptoFlagsFact,
  type HostXtsFact,
} from '../model/crypto.ts';
export type { Severity } from '../model/status.ts';
export type { HostExpect } from '../config/types.ts';
export type { Transport } from '../transport/types.ts';
export { LocalTransport } from '../transport/local.ts';
export {
  AssertionFailure,
  SkipCase,
  HwqualError,
  errorCodeOf,
  messageOf,
  needsRootReason,
} from '../model/errors.ts';
export { sleep } from '../util/wait.ts';
export { poll, retry, eventually, type PollOptions } from '../util/poll.ts';
export { probe, probeStrict, probeOrSkip, readCommand, type ReadOptions, type ReadResult } from './probe.ts';
export {
  loadQualified,
  hostDrift,
  formatDriftTable,
  driftMessage,
  type HostDrift,
  type DriftOptions,
} from '../drift/index.ts';
export { blameGuest, guestStep } from '../vm/guest-fault.ts';
export { guestProblemLines, GuestFaultError, GuestNeverReadyError, GuestPanicError } from '../vm/panic.ts';
import type { SuiteDef } from './types.ts';

export function defineSuite(suite: SuiteDef): SuiteDef {
  return suite;
}
