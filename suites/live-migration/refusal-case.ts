import {
  eventually,
  messageOf,
  type CaseContext,
  type CaseDef,
  type HostInfo,
  type Transport,
} from '../../src/suite-api/index.ts';
import {
  LineCollector,
  launchWorkloadGuest,
  type GuestHandle,
  type WorkloadGuest,
} from '../../src/suite-api/migration.ts';
import { ensureImage, qemuBinaryFor, qemuCpuFactsOnce, shellQuote, type BuiltImage } from '../../src/suite-api/vm.ts';
import { migrationPool, resolvePoolGuest } from './cpu-model.ts';
import { pairEnds } from './pair.ts';
import type { MigrationSettings } from './settings.ts';

/** `10.0.13` → [10, 0]: machine types are versioned by QEMU's major.minor. Pure. */
function majorMinor(v: string | undefined): [number, number] | undefined {
  const m = v ? /^(\d+)\.(\d+)/.exec(v) : null;
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/**
 * The pairs a machine-refusal case is listed for: each pair of the plan (either direction, once) whose hosts' QEMU
 * versions differ in major.minor (a micro release brings no machine type), as [newer, older]. Hosts whose QEMU
 * version is not known from their facts are left out. Pure.
 */
export function refusalPairs(
  pairs: ReadonlyArray<readonly [string, string]>,
  hosts: readonly HostInfo[],
): Array<[string, string]> {
  const version = (name: string) => majorMinor(hosts.find((h) => h.name === name)?.facts.qemu?.version);
  const out: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (const [a, b] of pairs) {
    const key = [a, b].sort().join(' ');
    const [va, vb] = [version(a), version(b)];
    if (seen.has(key) || !va || !vb || (va[0] === vb[0] && va[1] === vb[1])) continue;
    seen.add(key);
    out.push(va[0] > vb[0] || (va[0] === vb[0] && va[1] > vb[1]) ? [a, b] : [b, a]);
  }
  return out;
}

/**
 * machine-refusal[from=newer,to=older]: a guest started on the newer host with hwqual's default machine type (`q35`,
 * resolved through that QEMU's query-machines alias to its newest, e.g. pc-q35-10.0) cannot go to the older QEMU.
 * hwqual predicts it from the destination's query-machines, then really starts the destination as a migration does
 * and must see QEMU refuse it; `migrate` is never sent. Passes when prediction and refusal agree, the source reports
 * no migration and keeps running (heartbeat) and nothing is left on the destination. A destination that starts fails
 * the case: the prediction was wrong.
 */
export function refusalCase(s: MigrationSettings, from: string, to: string): CaseDef {
  return {
    id: 'machine-refusal',
    title: `Machine type refusal ${from} → ${to} (the newer QEMU's default machine type on the older QEMU)`,
    params: { from, to },
    alsoLocks: [to],
    tags: ['migration', 'machine-type'],
    timeoutSec: 300,
    async run(ctx) {
      const { destination, accel } = await pairEnds(ctx, s, to);
      const peer = destination.transport;
      const arch = ctx.plan.hosts?.find((h) => h.name === to)?.facts.arch;
      const image = await ensureImage('tiny');
      const pool = migrationPool(
        s.pairs,
        (ctx.plan.hosts ?? []).map((h) => h.name),
      );
      // The pool's CPU model, so that the machine type is the only thing the older QEMU can object to.
      const { cpu } = await resolvePoolGuest(ctx, { cpuModel: s.cpuModel, machine: 'q35' }, pool, accel);
      const guest = { accel, cpu: cpu.model, ...s.guest }; // no machine: hwqual's default, the `q35` alias
      const collector = new LineCollector();
      const src = await launchWorkloadGuest(ctx.transport, from, image, guest, collector, { signal: ctx.signal });
      ctx.defer(() => src.vm.teardown());
      await src.vm.waitForConsole(/HWQUAL-WORKLOAD start/, { timeoutMs: 120_000, signal: ctx.signal });
      const machines = await src.vm.qmp.queryMachines({ signal: ctx.signal });
      const used = machines.find((m) => m.alias === 'q35')?.name ?? 'q35';
      const dstQemu = await qemuCpuFactsOnce(peer, accel, {
        qemuBinary: qemuBinaryFor(arch),
        signal: ctx.signal,
      });
      const dstVersion = `QEMU ${dstQemu.qemuVersion ?? '(version not recorded)'} on ${to}`;
      if (!dstQemu.machines)
        throw new Error(`cannot predict: query-machines of ${dstVersion}: ${dstQemu.machinesError ?? 'no answer'}`);
      if (dstQemu.machines.includes(used))
        return ctx.skip(`${dstVersion} offers ${used}: the newer default migrates there, there is nothing to refuse`);
      const predicted = `${used} is not supported by ${dstVersion}`;
      ctx.log(`q35 is ${used} on ${from}; predicted from ${to}'s query-machines: ${predicted}`);
      await refuse(ctx, { src, collector, used, predicted, to, peer, address: destination.address, image, guest });
    },
  };
}

async function refuse(
  ctx: CaseContext,
  o: {
    src: GuestHandle;
    collector: LineCollector;
    used: string;
    predicted: string;
    to: string;
    peer: Transport;
    address: string;
    image: BuiltImage;
    guest: WorkloadGuest;
  },
): Promise<void> {
  const { src, collector, to, peer } = o;
  const workDirs = `ls -d /tmp/hwqual-vms/mig-${shellQuote(to)}-* 2>/dev/null`;
  const before = (await peer.exec(workDirs, { timeoutMs: 15_000 })).stdout;
  const uri = `tcp:${o.address}:${49152 + Math.floor(Math.random() * 12000)}`;
  let refusal = '';
  let dst: GuestHandle | undefined;
  try {
    // As a migration starts it: the source's machine type by its full name, which the alias stood for there.
    const guest = { ...o.guest, machine: o.used };
    dst = await launchWorkloadGuest(peer, to, o.image, guest, collector, { incoming: uri, signal: ctx.signal });
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    refusal = messageOf(err);
  }
  if (dst) {
    await dst.vm.teardown();
    return ctx.fail(
      `the destination started on ${to} with ${o.used} (-incoming ${uri}): hwqual predicted "${o.predicted}", ` +
        'so its prediction from query-machines was wrong',
    );
  }
  const said = /unsupported machine type/i.test(refusal);
  ctx.check.ok(`QEMU on ${to} refuses ${o.used} as predicted`, said, {
    expected: `${o.predicted} (QEMU: "unsupported machine type")`,
    actual: refusal,
    message: `${o.predicted}, but QEMU did not say "unsupported machine type": ${refusal}`,
  });
  const migration = await src.vm.qmp.queryMigrate({ signal: ctx.signal });
  const none = migration.status === undefined || migration.status === 'none';
  ctx.check.ok('migrate was never sent', none, {
    expected: 'query-migrate on the source: no migration',
    actual: `query-migrate on ${src.label}: ${JSON.stringify(migration)}`,
  });
  const status = (await src.vm.qmp.queryStatus({ signal: ctx.signal })).status;
  const last = Math.max(0, ...collector.heartbeats.map((h) => h.counter));
  const asked = Date.now();
  const beats = await eventually(
    () => collector.heartbeats.some((h) => h.host === src.label && h.at > asked && h.counter > last),
    { timeoutMs: 10_000, everyMs: 50, signal: ctx.signal },
  );
  ctx.check.ok(`the guest keeps running on ${src.label}`, status === 'running' && beats, {
    expected: 'running, heartbeat continues',
    actual: `query-status ${status}; ${beats ? 'heartbeat continues' : 'no new heartbeat within 10 s'} after ${last}`,
  });
  // `[i]ncoming`: the pattern does not match the shell that runs pgrep, whose command line holds it.
  const left = await peer.exec(`${workDirs}; pgrep -f -- ${shellQuote(`[i]ncoming ${uri}`)}`, { timeoutMs: 15_000 });
  const extra = left.stdout
    .split('\n')
    .filter((l) => l.trim() && !before.includes(l.trim()))
    .join(', ');
  ctx.check.ok(`nothing is left on ${to}`, extra === '', {
    expected: `no QEMU and no work dir for ${uri}`,
    actual: extra || `no QEMU and no work dir for ${uri}`,
  });
  ctx.fact(`migration.machineRefusal.${src.label}->${to}`, {
    machine: o.used,
    predicted: o.predicted,
    qemuSaid: refusal,
  });
  ctx.log(`${o.predicted} — QEMU: ${refusal}`);
}
