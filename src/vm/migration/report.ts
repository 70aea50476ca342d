import type { HeartbeatAnalysis } from './heartbeat.ts';
import type { LibvirtHopRecord } from './libvirt/record.ts';
import type { NovaExecuted } from './libvirt/nova-driver.ts';
import type { NovaOutcome } from './nova.ts';
import type { SideSettings, Strategy } from './strategy.ts';
import type { CleanupRecord } from './pending-cleanup.ts';
import type { RecoveryRecord } from './recover.ts';
import type { MigrationSample, PassRecord, Prediction } from './types.ts';

/** `lost`: a post-copy migration whose recovery failed; the guest runs on neither host. */
export type HopOutcome = 'completed' | 'not-converging' | 'stalled' | 'failed' | 'cancelled' | 'lost';

export interface VerdictCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/** One migration A→B: what was asked, what QEMU and the guest showed, and the verdict's checks. Plain data. */
export interface HopReport {
  from: string;
  to: string;
  strategy: Strategy;
  outcome: HopOutcome;
  diagnosis?: string;
  /** Where the guest runs afterwards. */
  guestOn: string;
  uri: string;
  settings: { source: SideSettings; destination: SideSettings };
  metrics: {
    totalMs?: number;
    setupMs?: number;
    downtimeMs?: number;
    blackoutMs?: number;
    transferredBytes?: number;
    passes?: number;
    throttlePct?: number;
    measuredDirtyMiBps?: number;
    postcopyRequests?: number;
    /** Per strategy (strategyMetrics): precopy/downtime/postcopy/multifd bytes, xbzrle cache counters. */
    [strategyMetric: string]: number | undefined;
  };
  prediction?: Prediction;
  /** |predicted − measured| ÷ measured total time, for a converging prediction of a completed migration. */
  predictionError?: number;
  /**
   * What Nova does with this migration: `predicted` from the measured passes (novaOutcome); on the libvirt path also
   * `executed` — Nova's schedule run against the real job — and, when the two part, the disagreement with both.
   */
  nova?: { predicted: NovaOutcome; executed?: NovaExecuted; disagreement?: string };
  /** The libvirt path: the virsh migrate command, its flags, and the job's last words. */
  libvirt?: LibvirtHopRecord;
  samples: MigrationSample[];
  passes: PassRecord[];
  events: Array<{ t: number; event: string; data?: Record<string, unknown> }>;
  heartbeat?: HeartbeatAnalysis;
  checks: VerdictCheck[];
  fault?: string;
  /** When the hop ran on the controller's clock (epoch ms): the window the blackout is looked for in. */
  window: { from: number; to: number };
  /** Hosts whose cleanup could not run yet (unreachable): it runs once they answer again. */
  cleanupPending: string[];
  /** Every cleanup that had to wait for its host, with how it ended: the history stays after it ran. */
  cleanups?: CleanupRecord[];
  /** Post-copy recovery after a link fault past the switchover: paused, link back, resumed, recovered or lost. */
  recovery?: RecoveryRecord;
}

export function hopPassed(h: HopReport): boolean {
  return h.outcome === 'completed' && h.checks.every((c) => c.ok);
}
