/** Suite API: live migration of a workload guest between two hosts (src/migration), and the lab link it can cut. */
export {
  runMigration,
  MiB,
  mib,
  NOVA_DEFAULTS,
  STRATEGIES,
  type Fault,
  type HopReport,
  type MigrationRun,
  type NovaSettings,
  type Strategy,
  type Tuning,
  chooseCpuModel,
  chooseMachine,
  FALLBACK_CPU_MODEL,
  poolGuest,
  type CpuModelChoice,
  type MachineChoice,
  type PoolMember,
  LineCollector,
  launchWorkloadGuest,
  type GuestHandle,
  type WorkloadGuest,
} from '../migration/index.ts';
export { labLink } from '../lab/index.ts';
export { unmappableForLibvirt } from '../migration/index.ts';
