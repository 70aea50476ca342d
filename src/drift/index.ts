/** Drift: a host compared with the run that qualified it (docs/drift.md). Pure, but for reading the qualified run. */
export { CLASS_SUITES, DRIFT_CLASSES, FACT_RULES, IGNORED_FACTS, type DriftClass, type FactRule } from './classes.ts';
export { compareFacts, type DriftNote, type DriftRow, type FactsComparison } from './compare.ts';
export { affectedCaseIds, grepFor, rerunCommand, shellWord } from './affected.ts';
export { loadQualified, indexRun, type CaseRef, type QualifiedRun } from './qualified.ts';
export { referenceFor } from './reference.ts';
export { hostDrift, type DriftOptions, type HostDrift } from './host-drift.ts';
export { driftHeadlines, driftMessage, formatDriftTable } from './format.ts';
