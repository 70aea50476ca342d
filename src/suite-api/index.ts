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
export type { ExecResult } from '../model/exec.ts';
export type { Severity } from '../model/status.ts';
export { AssertionFailure, SkipCase, HwqualError } from '../model/errors.ts';
export { probe, probeStrict, probeOrSkip, readCommand, type ReadResult } from './probe.ts';
export { blameGuest, guestStep } from '../vm/guest-fault.ts';
export { guestProblemLines, GuestFaultError, GuestNeverReadyError, GuestPanicError } from '../vm/panic.ts';
import type { SuiteDef } from './types.ts';

export function defineSuite(suite: SuiteDef): SuiteDef {
  return suite;
}
