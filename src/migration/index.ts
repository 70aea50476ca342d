/**
 * Live migration of a running workload guest between two hosts, driven over QMP: one migration with its verdict
 * (runMigration), a convergence grid (runGrid), the strategies and their settings, what Nova would have done, and
 * the plain data they report (types.ts). The rest of hwqual comes in through this file.
 */
export { modelDirtyRate, runMigration, TINY_BASE_MIB, type MigrationRequest, type MigrationRun } from './run.ts';
export { migrateHop, type HopRequest, type MigrationBasics } from './hop.ts';
export { settleHop } from './settle.ts';
export type { RecoveryOptions } from './recover.ts';
export { busyDirty, runGrid, type GridRequest } from './grid.ts';
export { bulkPass, MIN_BULK_MS, stampRate } from './stamp-rate.ts';
export { checkLinkOnce, LINK_MARGIN, LINK_WINDOW_MS, linkNow, needsLinkCheck, UNCAPPED, type LinkRun } from './link.ts';
export { convergenceHeader, formatConvergenceMap, formatGridSummary } from './grid-format.ts';
export { certaintyPass, MODELLED, summarizeGrid, syncsOf, type CallRecord, type GridSummary } from './grid-stats.ts';
export {
  STRATEGIES,
  applySettings,
  measureDirtyRate,
  samplePagesPerGiB,
  strategySettings,
  type SideSettings,
  type Strategy,
  type Tuning,
} from './strategy.ts';
export {
  NOVA_DEFAULTS,
  novaDataGb,
  novaDowntimeAt,
  novaDowntimeSteps,
  novaOutcome,
  type NovaSettings,
} from './nova.ts';
export { MiB, mib, passesOf, strategyMetrics, toSample } from './sample.ts';
export { figuresMissing, finalFigures, notReportedNote, type FinalFigures } from './final-figures.ts';
export { hopPassed } from './report.ts';
export { unmappableForLibvirt } from './libvirt/flags.ts';
export {
  dataDiskOn,
  launchWorkloadGuest,
  startWorkloadVm,
  tcgMigrationPadKiB,
  waitForWorkload,
  workloadAppend,
} from './guest.ts';
export { LineCollector, analyzeHeartbeats, type HeartbeatAnalysis, type HeartbeatLine } from './heartbeat.ts';
export { cleanUp, retireGuest, type RetireOptions } from './retire.ts';
export { kernelReport, qemuLeftIn, silentGuest, verifyHop } from './verify.ts';
export { checkSharedStorage } from './shared-storage.ts';
export { expectDestinationRefusal, type RefusalRun } from './refused.ts';
export { migrateVm, type VmHop } from './vm-migrate.ts';
export { ConvergenceDetector, DIRTY_MARGIN, NO_SHRINK, dirtySet, type DetectorOptions } from './detect.ts';
export { INPUT_MARGIN, predictPrecopy, relativeError, ringOverlap, uncertainty } from './predict.ts';
export {
  chooseCpuModel,
  chooseMachine,
  FALLBACK_CPU_MODEL,
  FALLBACK_MACHINE,
  poolGuest,
  poolView,
  type CpuModelChoice,
  type MachineChoice,
  type PoolMember,
  type PoolView,
} from './pool-guest.ts';
export type * from './types.ts';
