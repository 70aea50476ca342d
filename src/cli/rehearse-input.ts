import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadLab } from '../config/index.ts';
import type { AccelChoice, LabConfig } from '../config/types.ts';
import { knownReleases, readState } from '../lab/index.ts';
import { parseMeminfo } from '../probe/meminfo.ts';
import { UsageExit } from './common.ts';

export interface RehearseCliOptions {
  lab: string;
  pool: string;
  guests: string;
  to: string;
  out: string;
  memory: string;
  maxBandwidth?: string;
  accel: string;
  keep?: boolean;
}

/** The checked input of `hwqual rehearse`: everything known before any host is contacted. */
export interface RehearseInput {
  lab: LabConfig;
  labFile: string;
  labDir: string;
  pool: string;
  hosts: string[];
  to: string;
  guests: number;
  memoryMiB: number;
  maxBandwidthMiBps?: number;
  accel: AccelChoice;
  out: string;
  keep: boolean;
}

/**
 * What a guest costs the machine beyond its RAM (QEMU, TCG's translation cache): lab hosts share this machine's
 * memory, so the pool's guests — plus one more, the destination of the migration in flight — must fit in
 * MemAvailable.
 */
export const GUEST_OVERHEAD_MIB = 64;

const count = (v: string, what: string, min: number) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageExit(`${what}: expected a whole number ≥ ${min}, got '${v}'`);
  return n;
};

/**
 * Bad input is a UsageExit (exit 2) before anything is contacted: a lab file that is not a lab-in-a-box (re-imaging
 * needs its state.json), a pool with fewer than two hosts, an unknown release, fewer than one guest or more than the
 * machine's free memory holds. `meminfo` is read from this machine (the lab's hosts share it).
 */
export function rehearseInput(
  o: RehearseCliOptions,
  meminfo: () => string = () => readFileSync('/proc/meminfo', 'utf8'),
): RehearseInput {
  const labFile = resolve(o.lab);
  const lab = loadLab(labFile);
  const labDir = dirname(labFile);
  const state = readState(labDir);
  if (!state)
    throw new UsageExit(
      `${labFile} is not a lab-in-a-box (no state.json beside it): the rehearsal re-images hosts, which only works ` +
        'on a lab `hwqual lab up` made',
    );
  if (state.mode !== 'netns')
    throw new UsageExit(
      `${labFile}: a loopback lab (${state.fallbackReason ?? 'loopback mode'}) cannot re-image hosts: it needs ` +
        'network and mount namespaces (`lab up` as root without --loopback)',
    );
  const inPool = lab.hosts.filter((h) => h.labels.pool === o.pool).map((h) => h.name);
  if (inPool.length < 2) {
    const pools = [...new Set(lab.hosts.map((h) => h.labels.pool).filter(Boolean))];
    throw new UsageExit(
      `--pool ${o.pool}: ${inPool.length ? `only ${inPool.join(', ')} is` : 'no host of the lab is'} in it; ` +
        'a rolling ' +
        `upgrade needs 2 hosts or more (the guests of the host being upgraded must go somewhere; pools in ` +
        `${labFile}: ${pools.join(', ') || 'none'})`,
    );
  }
  const missing = inPool.filter((h) => !state.hosts.some((s) => s.name === h));
  if (missing.length) throw new UsageExit(`${missing.join(', ')}: in ${labFile} but not in the lab's state.json`);
  if (!knownReleases().includes(o.to))
    throw new UsageExit(`--to ${o.to}: unknown release (known: ${knownReleases().join(', ')})`);
  const guests = count(o.guests, '--guests', 1);
  const memoryMiB = count(o.memory, '--memory', 64);
  const maxBandwidthMiBps = o.maxBandwidth === undefined ? undefined : count(o.maxBandwidth, '--max-bandwidth', 1);
  if (!['auto', 'kvm', 'tcg'].includes(o.accel)) throw new UsageExit(`--accel ${o.accel}: expected auto, kvm or tcg`);
  const need = (guests + 1) * (memoryMiB + GUEST_OVERHEAD_MIB);
  const available = Math.floor((parseMeminfo(meminfo()).availableKiB ?? 0) / 1024);
  if (need > available)
    throw new UsageExit(
      `--guests ${guests}: ${guests} guest(s) of ${memoryMiB} MiB and one more in flight need ~${need} MiB ` +
        `(${GUEST_OVERHEAD_MIB} MiB QEMU overhead each), but the lab's hosts share this machine's ${available} MiB ` +
        'available (MemAvailable)',
    );
  return {
    lab,
    labFile,
    labDir,
    pool: o.pool,
    hosts: inPool,
    to: o.to,
    guests,
    memoryMiB,
    ...(maxBandwidthMiBps !== undefined && { maxBandwidthMiBps }),
    accel: o.accel as AccelChoice,
    out: resolve(o.out),
    keep: !!o.keep,
  };
}
