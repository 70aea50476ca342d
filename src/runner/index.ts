/** The runner's public API: plan → cases → schedule → results. */
export { prepareRun, type PrepareOptions, type PreparedRun } from './prepare.ts';
export { executeRun, type ExecuteOptions } from './run.ts';
export { expandPlan, filterCases, caseId, planView, type CaseFilter } from './expand.ts';
export { selectHosts, connectHosts, type HostBinding, type ConnectedHost, type GatherFacts } from './hosts.ts';
export { PlainProgress, TtyProgress, summaryLine, defaultProgress, type ProgressReporter } from './progress.ts';
export { loadSuites, SUITES_DIR } from './load-suites.ts';
export type { PlannedCase, LoadedSuite } from './plan-types.ts';
