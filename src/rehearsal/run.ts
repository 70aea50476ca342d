import { HwqualError } from '../model/errors.ts';
import { labReimage } from '../lab/index.ts';
import { poolGuest, type Endpoint, type MachineChoice, type Tuning, type WorkloadGuest } from '../migration/index.ts';
import type { BuiltImage } from '../vm/images/built-image.ts';
import { resolveAccel, type AccelChoice } from '../vm/accel.ts';
import type { Accel } from '../vm/spec.ts';
import { bootGuest, endGuest, keepGuest, locateAll, locatedChecks, type Guest } from './guests.ts';
import {
  noRegression,
  offersGuest,
  poolMember,
  ranOn,
  releaseOs,
  releases,
  summarise,
  type HostOsRun,
} from './hosts.ts';
import { checkInvariants, evacuationTarget, initialPlacement, type ReimageWindow } from './plan.ts';
import { moveGuest, Steps, type HopSettings } from './steps.ts';
import type { Location, RehearsalReport, RehearsalStep } from './types.ts';

export interface RehearsalRequest {
  /** The lab-in-a-box folder (its state.json: re-imaging needs it) and its lab.yaml. */
  labDir: string;
  labFile: string;
  pool: string;
  /** The pool's hosts, in lab order: upgraded in this order. */
  hosts: string[];
  /** The release every host runs at the end (`debian-13`). */
  to: string;
  guests: number;
  guest: Omit<WorkloadGuest, 'accel' | 'cpu' | 'machine'>;
  /** `auto`: KVM where every host of the pool can use it, else TCG (a guest migrates only between equals). */
  accel: AccelChoice;
  image: BuiltImage;
  tuning: Tuning;
  deadlineMs: number;
  stallMs: number;
  cleanupWaitMs: number;
  /** Leave the guests running at the end. */
  keep: boolean;
  /** Ctrl-C: stop before the next step or hop, then locate and tear down as after a failure. */
  signal: AbortSignal;
  /** Connect a host (again after its re-image: the same host key, a new sshd). */
  open(name: string): Promise<Endpoint>;
  /**
   * host-os through the runner on these hosts, the target release's os-release required and — for TCG guests, which
   * need none — /dev/kvm not; `n` is the step number (for its report folder).
   */
  checkHosts(names: string[], n: number, o: { accel: Accel; signal: AbortSignal }): Promise<Record<string, HostCheck>>;
  log(line: string): void;
}

/** What host-os said on a host. */
export interface HostCheck extends HostOsRun {
  /** The step's report folder (relative to the rehearsal's). */
  reports: string;
  os?: { id?: string; versionId?: string };
  qemu?: string;
}

/**
 * A rolling upgrade of a pool, rehearsed on a lab-in-a-box: N workload guests across the pool; then host by host,
 * evacuate it by live migration, re-image it onto the next release (`labReimage`: a fresh root, not an in-place
 * `apt dist-upgrade`), run host-os on it through the runner, and move its guests back. Stops at the first step that
 * fails (or at Ctrl-C), and always ends by locating every guest by its heartbeat, checking the invariants and tearing
 * the guests down (`keep` leaves them). Never throws for what happens on the hosts: it is all in the report.
 */
export async function runRehearsal(req: RehearsalRequest): Promise<RehearsalReport> {
  const t0 = Date.now();
  const ran = releases(req.labDir, req.hosts);
  const ends = new Map<string, Endpoint>();
  const guests: Guest[] = [];
  const reimages: ReimageWindow[] = [];
  const steps = new Steps(() => Object.fromEntries(guests.map((g) => [g.name, g.on])), req.signal, req.log);
  const end = (h: string) => ends.get(h)!;
  let hs: HopSettings | undefined;
  /** host-os on each pool host before the upgrade: what a re-imaged host must not fall behind. */
  let hostOsBefore: Record<string, HostCheck> = {};
  let accel: Accel = req.accel === 'kvm' ? 'kvm' : 'tcg';
  let guestRecord: RehearsalReport['guest'] = {
    ...req.guest,
    accel,
    cpu: { model: '?', source: 'not chosen' },
  };

  const boot = async (s: RehearsalStep) => {
    for (const h of req.hosts) ends.set(h, await req.open(h));
    const members = await Promise.all(req.hosts.map((h) => poolMember(end(h), req.signal)));
    const each = await Promise.all(members.map((m) => resolveAccel(m.transport, req.accel, { signal: req.signal })));
    accel = each.every((a) => a.accel === 'kvm') ? 'kvm' : 'tcg';
    const { cpu, machine } = await poolGuest(members, accel, {}, req.signal);
    guestRecord = { ...guestRecord, accel, cpu, ...(!('none' in machine) && { machine }) };
    s.checks.push({ name: 'the pool has a common machine type', ok: !('none' in machine), detail: show(machine) });
    if ('none' in machine) return;
    const guest: WorkloadGuest = { ...req.guest, accel, cpu: cpu.model, machine: machine.machine };
    hs = { image: req.image, guest, tuning: req.tuning, ...bounds(req), log: req.log };
    const started = await Promise.allSettled(
      initialPlacement(req.hosts, req.guests).map((p) => bootGuest(p.name, end(p.host), req.image, guest, req.signal)),
    );
    for (const r of started) if (r.status === 'fulfilled') guests.push(r.value);
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    s.checks.push({
      name: 'every guest runs',
      ok: true,
      detail: `${guests.map((g) => `${g.name} on ${g.on}`).join(', ')} (CPU ${cpu.model}, ${machine.machine})`,
    });
  };

  const upgrade = async (host: string): Promise<boolean> => {
    if (ran[host] === req.to) {
      steps.skip('skip', host, `upgrade ${host}`, `${host} already runs ${req.to}`);
      return true;
    }
    const leaving = guests.filter((g) => g.on === host);
    const moved = await steps.run('evacuate', host, `evacuate ${host} (${names(leaving)})`, async (s) => {
      for (const g of leaving) {
        if (req.signal.aborted) throw new HwqualError('E_CANCELLED', `interrupted before ${g.name} left ${host}`);
        const to = evacuationTarget(host, req.hosts, Object.fromEntries(guests.map((x) => [x.name, x.on])));
        if (!(await moveGuest(g, end(host), end(to), hs!, s))) return;
      }
      s.metrics.evacuation_ms = Date.now() - Date.parse(s.startedAt);
    });
    if (!moved) return false;
    const reimaged = await steps.run('reimage', host, `re-image ${host} onto ${req.to}`, (s) => reimage(host, s));
    if (!reimaged) return false;
    if (!(await steps.run('host-os', host, `host-os on ${host} (${req.to})`, (s) => checkHost(host, s)))) return false;
    const back = guests.filter((g) => g.home === host);
    if (!back.length) {
      steps.skip('refill', host, `move guests back to ${host}`, `no guest was started on ${host}`);
      return true;
    }
    return steps.run('refill', host, `move ${names(back)} back to ${host}`, async (s) => {
      for (const g of back) {
        if (req.signal.aborted) throw new HwqualError('E_CANCELLED', `interrupted before ${g.name} went back`);
        if (g.on !== host && !(await moveGuest(g, end(g.on), end(host), hs!, s))) return;
      }
    });
  };

  const reimage = async (host: string, s: RehearsalStep) => {
    const locatedBefore = await locateAll(guests, 5000);
    const there = Object.entries(locatedBefore).filter(([, l]) => !l.heartbeat || l.host === host);
    s.checks.push({
      name: `no guest on ${host}`,
      ok: there.length === 0,
      detail: Object.entries(locatedBefore)
        .map(([g, l]) => `${g}: ${l.detail}`)
        .join('; '),
    });
    if (there.length) return;
    const w: ReimageWindow = { host, from: Date.now(), to: Date.now(), locatedBefore };
    reimages.push(w);
    try {
      await end(host)
        .transport.close()
        .catch(() => {});
      await labReimage({ dir: req.labDir, host, os: req.to, log: (m) => req.log(`${host}: ${m}`) });
    } finally {
      w.to = Date.now();
    }
    s.metrics.reimage_ms = w.to - w.from;
    ends.set(host, await req.open(host));
    const after = await locateAll(guests, 10_000);
    const lost = Object.entries(after).filter(([, l]) => !l.heartbeat || l.host === host);
    s.checks.push({
      name: 'every guest still runs after the re-image',
      ok: lost.length === 0,
      detail: Object.entries(after)
        .map(([g, l]) => `${g}: ${l.detail}`)
        .join('; '),
    });
  };

  const baseline = async (s: RehearsalStep) => {
    hostOsBefore = await req.checkHosts(req.hosts, s.n, { accel, signal: req.signal });
    s.checks.push(
      ...req.hosts.map((h) => {
        const r = hostOsBefore[h];
        return { name: `host-os ran on ${h}`, ok: !!r && ranOn(r), detail: r ? summarise(r) : 'no answer' };
      }),
    );
  };

  const checkHost = async (host: string, s: RehearsalStep) => {
    const r = (await req.checkHosts([host], s.n, { accel, signal: req.signal }))[host]!;
    s.hostOs = { cases: r.cases, reports: r.reports, os: r.os?.versionId, qemu: r.qemu };
    s.checks.push(noRegression(hostOsBefore[host], r));
    const want = releaseOs(req.to);
    s.checks.push({
      name: `${host} runs ${req.to}`,
      ok: r.os?.id === want.id && r.os?.versionId === want.versionId,
      detail: `os-release ${r.os?.id ?? '?'} ${r.os?.versionId ?? '?'}, QEMU ${r.qemu ?? '?'}`,
    });
    s.checks.push(await offersGuest(host, end(host).transport, guestRecord, accel, req.signal));
  };

  let final: Record<string, Location> = {};
  let teardown: string[] = [];
  try {
    const title = `start ${req.guests} workload guest(s) on ${req.hosts.join(', ')}`;
    if (
      (await steps.run('boot', req.pool, title, boot)) &&
      (await steps.run('host-os', req.pool, 'host-os on the pool before the upgrade', baseline))
    )
      for (const host of req.hosts) if (!(await upgrade(host))) break;
  } finally {
    // Also after a failed step or Ctrl-C: where every guest runs (by its heartbeat), then tear down (or keep).
    final = await locateAll(guests, 10_000);
    steps.record('locate', req.pool, 'locate every guest by its heartbeat', locatedChecks(guests, final));
    teardown = req.keep ? guests.map(keepGuest) : await Promise.all(guests.map(endGuest));
    await Promise.all([...ends.values()].map((e) => e.transport.close().catch(() => {})));
  }
  const after = releases(req.labDir, req.hosts);
  const invariants = checkInvariants({
    guests: guests.map((g) => ({ name: g.name, heartbeats: g.collector.heartbeats })),
    reimages,
    final,
    hostsAfter: after,
    to: req.to,
    window: { from: t0, to: Date.now() },
  });
  const stop = steps.list.find((s) => s.status === 'failed' || s.status === 'error');
  return {
    pool: req.pool,
    to: req.to,
    lab: req.labFile,
    startedAt: new Date(t0).toISOString(),
    endedAt: new Date().toISOString(),
    durationMs: Date.now() - t0,
    outcome: req.signal.aborted ? 'interrupted' : stop || invariants.some((i) => !i.ok) ? 'failed' : 'passed',
    ...(req.signal.aborted
      ? { stoppedBy: 'an interrupt (SIGINT or SIGTERM)' }
      : stop && { stoppedBy: `step ${stop.n} (${stop.title}): ${stop.message ?? stop.status}` }),
    hosts: req.hosts.map((h) => ({ name: h, before: ran[h]!, after: after[h]! })),
    guest: guestRecord,
    guests: guests.map((g) => ({ name: g.name, home: g.home, on: g.on, located: final[g.name], hops: g.hops })),
    steps: steps.list,
    invariants,
    teardown: { kept: req.keep, detail: teardown },
  };
}

const names = (gs: readonly Guest[]) => (gs.length ? gs.map((g) => g.name).join(', ') : 'no guest');
const show = (m: MachineChoice | { none: string }) =>
  'none' in m ? m.none : `${m.machine} (${m.source}${m.reason ? `: ${m.reason}` : ''})`;
const bounds = (r: RehearsalRequest) => ({
  deadlineMs: r.deadlineMs,
  stallMs: r.stallMs,
  cleanupWaitMs: r.cleanupWaitMs,
});
