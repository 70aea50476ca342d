import { probeOrSkip as probeOrSkipAny, probeStrict, type CaseContext } from '../../src/suite-api/index.ts';

/** host-os reads "nothing there" as a finding (no /dev/kvm…): a command a replayed profile lacks is an error. */
export const probe = probeStrict;

export function probeOrSkip(ctx: CaseContext, command: string, why: string, partial = false): Promise<string> {
  return probeOrSkipAny(ctx, command, why, partial, true);
}
