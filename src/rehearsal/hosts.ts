import { MACHINE_ROOT, readState } from '../lab/index.ts';
import type { Endpoint, PoolMember } from '../migration/index.ts';
import { messageOf } from '../model/errors.ts';
import { CMD } from '../probe/commands.ts';
import { parseCpuinfo } from '../probe/cpuinfo.ts';
import type { Transport } from '../transport/types.ts';
import { qemuCpuFactsOnce } from '../vm/qemu-cpu-facts.ts';
import type { Accel } from '../vm/spec.ts';
import type { RehearsalReport } from './types.ts';

/** What each host of the lab runs now, from its state.json: a release (`debian-13`) or `machine`. */
export function releases(labDir: string, hosts: readonly string[]): Record<string, string> {
  const state = readState(labDir);
  return Object.fromEntries(
    hosts.map((h) => [h, state?.hosts.find((x) => x.name === h)?.root?.release ?? MACHINE_ROOT]),
  );
}

/** The os-release a release's root reports: `debian-13` (or `debian-13+libvirt`) → ID debian, VERSION_ID 13. Pure. */
export function releaseOs(release: string): { id?: string; versionId?: string } {
  const m = /^([a-z]+)-(\d+)/.exec(release);
  return m ? { id: m[1], versionId: m[2] } : {};
}

/**
 * Whether a host's QEMU (asked afresh, through the transport that reached it after its re-image) offers the pool's
 * machine type and can run its CPU model: what the guests need to move back onto it.
 */
export async function offersGuest(
  host: string,
  transport: Transport,
  guest: RehearsalReport['guest'],
  accel: Accel,
  signal?: AbortSignal,
): Promise<{ name: string; ok: boolean; detail: string }> {
  const name = `${host} can run the pool's guest`;
  try {
    const q = await qemuCpuFactsOnce(transport, accel, { signal });
    const qemu = `QEMU ${q.qemuVersion ?? '(version not recorded)'} on ${host}`;
    const machine = guest.machine?.machine;
    const hasMachine = machine !== undefined && (q.machines ?? []).includes(machine);
    const def = q.definitions.find((d) => d.name === guest.cpu.model);
    const problems = [
      ...(hasMachine ? [] : [`does not offer machine type ${machine ?? '(none chosen)'}`]),
      ...(def?.usable
        ? []
        : [
            def
              ? `cannot run ${def.name} under ${accel} (missing ${def.unavailable.join(', ')})`
              : `does not know CPU model ${guest.cpu.model}`,
          ]),
    ];
    return {
      name,
      ok: problems.length === 0,
      detail: problems.length
        ? `${qemu} ${problems.join(' and ')}`
        : `${qemu} offers ${machine} and runs ${guest.cpu.model} (${accel})`,
    };
  } catch (err) {
    return { name, ok: false, detail: `${host}'s QEMU could not be asked: ${messageOf(err)}` };
  }
}

/** A host-os run on one host, as the rehearsal reads it (the runner's cases; `unreachable` when it never ran). */
export interface HostOsRun {
  cases: Array<{ id: string; status: string; message?: string }>;
  unreachable?: string;
}

const BAD = new Set(['failed', 'error']);
const short = (id: string) => id.replace(/^host-os\//, '').replace(/@[^@]+$/, '');

/** Whether host-os reached the host and ran its cases. Pure. */
export function ranOn(r: HostOsRun): boolean {
  return !r.unreachable && r.cases.length > 0;
}

/** `23 passed, 6 failed (iommu, …), 1 skipped`. Pure. */
export function summarise(r: HostOsRun): string {
  if (r.unreachable) return `host-os did not run: ${r.unreachable}`;
  const by = new Map<string, string[]>();
  for (const c of r.cases) by.set(c.status, [...(by.get(c.status) ?? []), short(c.id)]);
  return [...by]
    .map(([status, ids]) => `${ids.length} ${status}${BAD.has(status) ? ` (${ids.join(', ')})` : ''}`)
    .join(', ');
}

/**
 * The upgrade must not make host-os worse: every case that passed on the host before its re-image passes after it.
 * A finding the host had already (the lab machine's own: no IOMMU, its CPU's vulnerabilities) is listed, not held
 * against the upgrade; a case new after it must not fail. Pure.
 */
export function noRegression(
  before: HostOsRun | undefined,
  after: HostOsRun,
): { name: string; ok: boolean; detail: string } {
  const name = 'host-os: nothing that passed before the re-image fails after it';
  if (!ranOn(after)) return { name, ok: false, detail: summarise(after) };
  const was = new Map((before?.cases ?? []).map((c) => [c.id, c.status]));
  const worse = after.cases.filter((c) => BAD.has(c.status) && (was.get(c.id) ?? 'new') !== c.status);
  const worseText = worse.map(
    (c) => `${short(c.id)} ${c.status} (${was.get(c.id) ?? 'new'} before)${c.message ? `: ${c.message}` : ''}`,
  );
  const already = after.cases.filter((c) => BAD.has(c.status) && was.get(c.id) === c.status).map((c) => short(c.id));
  return {
    name,
    ok: worse.length === 0,
    detail: worse.length
      ? worseText.join('; ')
      : `${summarise(after)}${already.length ? `; as before the re-image: ${already.join(', ')}` : ''}`,
  };
}

/**
 * A pool host as the pool baseline needs it: its CPU (vendor, family, model — what picks the candidate CPU models)
 * read from its /proc/cpuinfo, and its architecture (the QEMU binary).
 */
export async function poolMember(end: Endpoint, signal?: AbortSignal): Promise<PoolMember> {
  const read = async (command: string) => {
    const r = await end.transport.exec(command, { timeoutMs: 15_000, signal, readOnly: true });
    return r.exitCode === 0 ? r.stdout : '';
  };
  const [cpuinfo, arch] = await Promise.all([read(CMD.cpuinfo), read(CMD.arch)]);
  return { name: end.name, transport: end.transport, cpu: parseCpuinfo(cpuinfo), arch: arch.trim() || undefined };
}
