import type { Severity } from '../model/status.ts';
import type { CaseDef, HostInfo, SuiteDef } from '../suite-api/types.ts';

/** One case of the expanded plan: a suite's case on one host (and matrix cell), with its gating decided. */
export interface PlannedCase {
  id: string;
  suite: string;
  def: CaseDef;
  host: HostInfo;
  severity: Severity;
  params: Record<string, string>;
  tags: string[];
  /** Set when requirement gating skips it. */
  skipReason?: string;
  /** Set when the host could not be reached: the case is an error without running. */
  hostError?: string;
}

export interface LoadedSuite {
  name: string;
  def: SuiteDef;
}
