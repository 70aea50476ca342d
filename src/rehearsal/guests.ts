import { HwqualError, messageOf } from '../model/errors.ts';
import {
  cleanUp,
  launchWorkloadGuest,
  LineCollector,
  type Endpoint,
  type GuestHandle,
  type WorkloadGuest,
} from '../migration/index.ts';
import { eventually } from '../util/poll.ts';
import type { BuiltImage } from '../vm/images/built-image.ts';
import type { Location } from './types.ts';

/**
 * One workload guest of the rehearsal: its own heartbeat collector for its whole life (every hop appends to it, so a
 * counter reset anywhere shows), the handle of the QEMU that holds it now, and its home host.
 */
export interface Guest {
  name: string;
  home: string;
  /** Where hwqual placed it (the host of `handle`). */
  on: string;
  handle: GuestHandle;
  collector: LineCollector;
  hops: number;
}

/**
 * Start a workload guest and wait for its first integrity line. No AbortSignal reaches the VM: a handle bound to one
 * tears its guest down on abort, and after Ctrl-C the rehearsal must still find every guest by its heartbeat.
 */
export async function bootGuest(
  name: string,
  at: Endpoint,
  image: BuiltImage,
  spec: WorkloadGuest,
  signal?: AbortSignal,
): Promise<Guest> {
  const collector = new LineCollector();
  const handle = await launchWorkloadGuest(at.transport, at.name, image, spec, collector);
  const guest: Guest = { name, home: at.name, on: at.name, handle, collector, hops: 0 };
  try {
    await handle.vm.waitForConsole(/HWQUAL-WORKLOAD start/, { timeoutMs: 120_000, signal });
    const ready = await eventually(() => collector.integrity.some((l) => l.ok), { timeoutMs: 20_000, signal });
    if (!ready)
      throw new HwqualError(
        'E_VM',
        `${name} on ${at.name} printed no integrity line within 20 s; ${handle.vm.console.tail()}`,
        { host: at.name },
      );
    return guest;
  } catch (err) {
    await handle.vm.teardown().catch(() => {});
    throw err;
  }
}

/**
 * Where the guest runs by its heartbeat: the host a line newer than this question came from (within `waitMs`), and
 * query-status there. Never throws and takes no AbortSignal: it is also what answers after Ctrl-C.
 */
export async function locate(g: Guest, waitMs = 10_000): Promise<Location> {
  const last = Math.max(0, ...g.collector.heartbeats.map((h) => h.counter));
  const asked = Date.now();
  const fresh = await eventually(() => g.collector.heartbeats.some((h) => h.at > asked && h.counter > last), {
    timeoutMs: waitMs,
    everyMs: 50,
  });
  const line = g.collector.heartbeats.at(-1);
  if (!fresh || !line)
    return {
      heartbeat: false,
      ...(line && { host: line.host, counter: line.counter }),
      detail:
        `no heartbeat within ${waitMs / 1000} s` +
        (line ? `; last seen on ${line.host} (counter ${line.counter}, ${ago(line.at)} ago)` : '; never seen') +
        `; ${g.handle.hb.describe()}`,
    };
  const status =
    line.host === g.handle.label
      ? await g.handle.vm.qmp
          .queryStatus({ timeoutMs: 5000 })
          .then((s) => s.status)
          .catch((err: unknown) => `unknown (${messageOf(err)})`)
      : `not asked (hwqual placed it on ${g.handle.label})`;
  return {
    host: line.host,
    counter: line.counter,
    status,
    heartbeat: true,
    detail: `heartbeat ${line.counter} from ${line.host}, query-status ${status}`,
  };
}

/** End the guest's QEMU and check nothing of it is left; the line says what happened. */
export async function endGuest(g: Guest): Promise<string> {
  const left = await cleanUp(g.handle).catch(() => true);
  return left
    ? `${g.name}: a QEMU or the work dir ${g.handle.vm.paths.workDir} may remain on ${g.on}`
    : `${g.name}: torn down on ${g.on}`;
}

/** `--keep`: leave the QEMU running, close hwqual's connections to it; the line says where it is. */
export function keepGuest(g: Guest): string {
  g.handle.hb.close();
  g.handle.vm.qmp.close();
  return `${g.name}: left running on ${g.on} (pid ${g.handle.vm.pid ?? '?'}, work dir ${g.handle.vm.paths.workDir})`;
}

const ago = (at: number) => `${((Date.now() - at) / 1000).toFixed(1)} s`;

/** Every guest located at once (see locate). */
export async function locateAll(guests: readonly Guest[], waitMs: number): Promise<Record<string, Location>> {
  const found = await Promise.all(guests.map((g) => locate(g, waitMs)));
  return Object.fromEntries(guests.map((g, i) => [g.name, found[i]!]));
}

/** One check per guest: it runs (fresh heartbeat, query-status running), and where. */
export function locatedChecks(
  guests: readonly Guest[],
  found: Record<string, Location>,
): Array<{ name: string; ok: boolean; detail: string }> {
  return guests.map((g) => {
    const l = found[g.name]!;
    return {
      name: `${g.name} runs${l.host ? ` on ${l.host}` : ''}`,
      ok: l.heartbeat && l.status === 'running',
      detail: l.detail,
    };
  });
}
