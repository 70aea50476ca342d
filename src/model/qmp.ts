/** The QMP shapes hwqual reads (subset of QEMU's qapi/*.json; optional where versions differ). */
export interface QmpGreeting {
  QMP: { version: { qemu: { major: number; minor: number; micro: number }; package: string }; capabilities: string[] };
}

export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
  timestamp: { seconds: number; microseconds: number };
}

export interface QmpStatus {
  status: string;
  running: boolean;
  singlestep?: boolean;
}

export interface QmpVersion {
  qemu: { major: number; minor: number; micro: number };
  package: string;
}

export interface QmpCpuDefinition {
  name: string;
  typename?: string;
  'unavailable-features'?: string[];
  'migration-safe'?: boolean;
  static?: boolean;
  'alias-of'?: string;
  deprecated?: boolean;
}

export interface QmpCpuModelExpansion {
  model: { name: string; props?: Record<string, unknown> };
}

export interface QmpMachineInfo {
  name: string;
  alias?: string;
  'is-default'?: boolean;
  deprecated?: boolean;
  'cpu-max'?: number;
}

export interface QmpMigrationRam {
  transferred: number;
  remaining: number;
  total: number;
  duplicate?: number;
  normal?: number;
  'normal-bytes'?: number;
  'dirty-pages-rate'?: number;
  mbps?: number;
  'dirty-sync-count'?: number;
  'page-size'?: number;
  'precopy-bytes'?: number;
  'downtime-bytes'?: number;
  'postcopy-bytes'?: number;
  'multifd-bytes'?: number;
  'postcopy-requests'?: number;
}

export interface QmpMigrationInfo {
  status?: string;
  ram?: QmpMigrationRam;
  'total-time'?: number;
  'setup-time'?: number;
  downtime?: number;
  'expected-downtime'?: number;
  'cpu-throttle-percentage'?: number;
  'error-desc'?: string;
  'xbzrle-cache'?: Record<string, number>;
}

export interface QmpMigrationCapability {
  capability: string;
  state: boolean;
}

export interface QmpDirtyRateInfo {
  status: 'unstarted' | 'measuring' | 'measured';
  'dirty-rate'?: number;
  'start-time'?: number;
  'calc-time'?: number;
  'sample-pages'?: number;
  mode?: string;
}
