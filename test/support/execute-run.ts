import type { LabConfig, PlanConfig } from '../../src/config/types.ts';
import type { CaseResult, RunResults } from '../../src/model/result.ts';
import type { prepareRun } from '../../src/runner/prepare.ts';
import { executeRun } from '../../src/runner/run.ts';
import { tempDir } from './temp-dir.ts';

/**
 * Run a prepared plan through the real runner into a fresh temporary report folder (removed when the test file
 * ends), with no progress output and a signal nobody aborts. Returns the results, the folder and a case finder.
 */
export async function executeToTemp(
  lab: LabConfig,
  plan: PlanConfig,
  prepared: Awaited<ReturnType<typeof prepareRun>>,
  prefix: string,
) {
  const out = tempDir(prefix);
  const results: RunResults = await executeRun({
    lab,
    plan,
    prepared,
    outDir: out,
    signal: new AbortController().signal,
    progress: {},
  });
  /** The case with this case id; throws naming the ids there are. */
  const byId = (id: string): CaseResult => {
    const c = results.cases.find((r) => r.caseId === id);
    if (!c) throw new Error(`no case ${id} among ${results.cases.map((r) => r.caseId).join(', ')}`);
    return c;
  };
  return { results, out, byId };
}
