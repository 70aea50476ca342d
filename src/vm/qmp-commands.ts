import type {
  QmpCpuDefinition,
  QmpCpuModelExpansion,
  QmpDirtyRateInfo,
  QmpMachineInfo,
  QmpMigrationCapability,
  QmpMigrationInfo,
  QmpStatus,
  QmpVersion,
} from '../model/qmp.ts';

type Opts = { timeoutMs?: number; signal?: AbortSignal; oob?: boolean };

/** One typed method per QMP command the suites use. */
export abstract class QmpCommands {
  protected abstract call<T>(command: string, args?: Record<string, unknown>, options?: Opts): Promise<T>;

  queryStatus(o?: Opts) {
    return this.call<QmpStatus>('query-status', undefined, o);
  }
  queryVersion(o?: Opts) {
    return this.call<QmpVersion>('query-version', undefined, o);
  }
  queryKvm(o?: Opts) {
    return this.call<{ enabled: boolean; present: boolean }>('query-kvm', undefined, o);
  }
  queryMachines(o?: Opts) {
    return this.call<QmpMachineInfo[]>('query-machines', undefined, o);
  }
  queryCommands(o?: Opts) {
    return this.call<Array<{ name: string }>>('query-commands', undefined, o);
  }
  queryCpuDefinitions(o?: Opts) {
    return this.call<QmpCpuDefinition[]>('query-cpu-definitions', undefined, o);
  }
  queryCpusFast(o?: Opts) {
    return this.call<Array<Record<string, unknown>>>('query-cpus-fast', undefined, o);
  }
  queryCpuModelExpansion(type: 'static' | 'full', model: { name: string; props?: Record<string, unknown> }, o?: Opts) {
    return this.call<QmpCpuModelExpansion>('query-cpu-model-expansion', { type, model }, o);
  }

  stop(o?: Opts) {
    return this.call<Record<string, never>>('stop', undefined, o);
  }
  cont(o?: Opts) {
    return this.call<Record<string, never>>('cont', undefined, o);
  }
  systemPowerdown(o?: Opts) {
    return this.call<Record<string, never>>('system_powerdown', undefined, o);
  }
  quit(o?: Opts) {
    return this.call<Record<string, never>>('quit', undefined, o);
  }

  queryMigrate(o?: Opts) {
    return this.call<QmpMigrationInfo>('query-migrate', undefined, o);
  }
  migrate(uri: string, o?: Opts) {
    return this.call<Record<string, never>>('migrate', { uri }, o);
  }
  migrateIncoming(uri: string, o?: Opts) {
    return this.call<Record<string, never>>('migrate-incoming', { uri }, o);
  }
  migrateCancel(o?: Opts) {
    return this.call<Record<string, never>>('migrate_cancel', undefined, o);
  }
  migrateStartPostcopy(o?: Opts) {
    return this.call<Record<string, never>>('migrate-start-postcopy', undefined, o);
  }
  /** Post-copy recovery (QEMU 3.0+): shut the migration channel down on either side → `postcopy-paused`. Allows OOB. */
  migratePause(o?: Opts) {
    return this.call<Record<string, never>>('migrate-pause', undefined, o);
  }
  /** On the paused destination: listen on a new URI for the source's `migrate` with `resume`. Allows OOB. */
  migrateRecover(uri: string, o?: Opts) {
    return this.call<Record<string, never>>('migrate-recover', { uri }, o);
  }
  /** On the paused source: reconnect to the destination's recovery URI and continue the post-copy migration. */
  migrateResume(uri: string, o?: Opts) {
    return this.call<Record<string, never>>('migrate', { uri, resume: true }, o);
  }
  queryMigrateCapabilities(o?: Opts) {
    return this.call<QmpMigrationCapability[]>('query-migrate-capabilities', undefined, o);
  }
  migrateSetCapabilities(capabilities: QmpMigrationCapability[], o?: Opts) {
    return this.call<Record<string, never>>('migrate-set-capabilities', { capabilities }, o);
  }
  queryMigrateParameters(o?: Opts) {
    return this.call<Record<string, unknown>>('query-migrate-parameters', undefined, o);
  }
  migrateSetParameters(parameters: Record<string, unknown>, o?: Opts) {
    return this.call<Record<string, never>>('migrate-set-parameters', parameters, o);
  }

  /** `mode` page-sampling is the only one that works under TCG on QEMU 7.2. */
  calcDirtyRate(calcTimeSec: number, extra: { 'sample-pages'?: number; mode?: string } = {}, o?: Opts) {
    return this.call<Record<string, never>>('calc-dirty-rate', { 'calc-time': calcTimeSec, ...extra }, o);
  }
  queryDirtyRate(o?: Opts) {
    return this.call<QmpDirtyRateInfo>('query-dirty-rate', undefined, o);
  }
}
