import { randomBytes } from 'node:crypto';
import { type CaseContext, type CaseDef, HwqualError } from '../../src/suite-api/index.ts';
import { type Endpoint, migrateVm, tcgMigrationPadKiB, type VmHop } from '../../src/suite-api/migration.ts';
import {
  type BuiltImage,
  ensureImage,
  imageVmSpec,
  launchVm,
  randomKey,
  shellQuote,
  stageImage,
  type Vm,
  waitUntilReady,
} from '../../src/suite-api/vm.ts';
import { migrationPool, resolvePoolGuest } from './cpu-model.ts';
import { DISK_STAMP, prepareDataDisk } from './data-disk.ts';
import { GuestWriter, VOLUME } from './guest-writer.ts';
import { pairEnds } from './pair.ts';
import { tuningOf, type MigrationSettings } from './settings.ts';

export const BLACKOUT_NOT_MEASURED = 'not measured: this guest has no heartbeat, its integrity is the verdict';

/**
 * In-guest encryption under live migration: the Debian 12 guest (root overlay and data disk on the shared storage;
 * the overlay's backing image staged at the same path on both hosts) opens a LUKS2 volume of its own on its data disk
 * and a writer stamps blocks of it; hwqual migrates it A→B (and back, ping-pong), and after each hop the guest reads
 * back every stamp; on the last host the writer stops, every stamp is verified and the volume closes. The data disk
 * file holds no stamp in the clear. No heartbeat: blackout is not measured.
 */
export function guestLuksMigrationCase(s: MigrationSettings, from: string, to: string): CaseDef {
  return {
    id: 'migrate-guest-luks',
    title:
      `Debian 12 guest with its own LUKS2 volume under write load migrates ${from} → ${to}` +
      `${s.hops > 1 ? ` (ping-pong ×${s.hops})` : ''}; integrity is the verdict, blackout not measured`,
    params: { from, to },
    alsoLocks: [to],
    tags: ['migration', 'luks', 'guest'],
    timeoutSec: 900 + s.hops * (s.deadlineSec + 120) + s.cleanupWaitSec,
    async run(ctx) {
      const { source, destination, accel } = await pairEnds(ctx, s, to);
      const ends: [Endpoint, Endpoint] = [source, destination];
      // The data disk is plain: the encryption is the guest's own (dm-crypt inside it).
      const data = await prepareDataDisk(ctx, { ...s, disk: { ...s.disk!, luks: false } }, ...ends);
      const image = await ensureImage('debian12', { log: (l) => ctx.log(l) });
      const root = await sharedRoot(ctx, s, image, ends);
      const pool = migrationPool(
        s.pairs,
        (ctx.plan.hosts ?? []).map((h) => h.name),
      );
      const { cpu, machine } = await resolvePoolGuest(ctx, s, pool, accel);
      ctx.fact('migration.cpuModel', cpu);
      if ('none' in machine) return ctx.fail(`${machine.none}: no guest can migrate between them`);
      ctx.fact('migration.machine', machine);
      const spec = (host: string, incoming?: string) => {
        const v = imageVmSpec(root.image, {
          accel,
          cpu: cpu.model,
          machine: machine.machine,
          memoryMiB: 512,
          vcpus: 2,
          // As for the workload guest: pti=on under TCG (see tcgMigrationPadKiB); no_timer_check as for guest-luks.
          append: `no_timer_check${accel === 'tcg' ? ' pti=on' : ''}`,
          incoming,
          name: `mig-luks-${host}`,
          extraDisks: [{ path: data.disk.path, format: 'qcow2' }],
        });
        v.disks![0] = { path: root.overlay, format: 'qcow2' };
        v.memoryPadKiB = tcgMigrationPadKiB(accel);
        return v;
      };
      let vm: Vm = await launchVm(ends[0].transport, spec(from), { signal: ctx.signal });
      ctx.defer(() => vm.teardown());
      await waitUntilReady(vm, root.image, { timeoutMs: 600_000, signal: ctx.signal });
      let agent = await vm.guestAgent({ signal: ctx.signal });
      ctx.defer(() => agent.close());
      const writer = new GuestWriter(agent, ctx.signal);
      await writer.openVolume('/dev/vdb', randomKey());
      await writer.start();
      await waitForWrites(writer, 0);
      ctx.log(`LUKS2 volume open on /dev/vdb in the guest on ${from}; the writer stamps ${VOLUME.blocks} blocks`);

      const hops: VmHop[] = [];
      for (let i = 0; i < s.hops; i++) {
        const [a, b] = i % 2 === 0 ? ends : [ends[1], ends[0]];
        const before = await writer.writes();
        const { hop, dst } = await migrateVm({
          src: vm,
          source: a,
          destination: b,
          launchDestination: (incoming) => launchVm(b.transport, spec(b.name, incoming), { signal: ctx.signal }),
          tuning: tuningOf(s),
          deadlineMs: s.deadlineSec * 1000,
          signal: ctx.signal,
        });
        hops.push(hop);
        ctx.log(`${a.name} → ${b.name}: ${hop.status}${hop.error ? ` (${hop.error})` : ''}, ${hop.totalMs} ms`);
        if (!dst) return ctx.fail(`${a.name} → ${b.name}: ${hop.status}: ${hop.error ?? 'no error from QEMU'}`);
        await vm.teardown();
        agent.close();
        vm = dst;
        agent = await vm.guestAgent({ signal: ctx.signal });
        writer.reattach(agent);
        const p = s.hops > 1 ? `hop${i + 1}_` : '';
        if (hop.totalMs !== undefined) ctx.metric(`${p}total_ms`, hop.totalMs);
        if (hop.downtimeMs !== undefined) ctx.metric(`${p}downtime_ms`, hop.downtimeMs);
        // Completed, but QEMU's final figures could not be read: the harness's error, never a pass without them.
        if (hop.figuresNote) throw new HwqualError('E_VM', `${a.name} → ${b.name}: completed, but ${hop.figuresNote}`);
        const v = await writer.verify();
        ctx.check.ok(`${a.name}→${b.name}: stamps read back on ${b.name}`, v.bad === 0 && v.blocks > 0, {
          message: `${v.bad} of ${v.blocks} blocks differ from their last stamp on ${b.name}: ${v.badLines.join('; ')}`,
        });
        ctx.check.ok(
          `${a.name}→${b.name}: the writer keeps writing on ${b.name}`,
          await waitForWrites(writer, before),
          {
            message: `no new stamp on ${b.name} within 20 s (${before} before the hop)`,
          },
        );
      }
      const last = await writer.verify({ stop: true });
      const closed = await writer.closeVolume();
      ctx.log(`final verify on ${vm.host}: ${last.blocks} blocks, ${last.bad} bad, ${last.writes} stamps written`);
      ctx.metric('stamps_written', last.writes);
      ctx.fact('migration.guestLuks', { hops, verify: last, blackout: BLACKOUT_NOT_MEASURED });
      await ctx.artifact(
        'migration.json',
        `${JSON.stringify({ cpuModel: cpu, machine, hops, verify: last }, null, 2)}\n`,
      );
      ctx.log(`blackout ${BLACKOUT_NOT_MEASURED}`);
      ctx.check.ok(`every stamp verified on ${vm.host} after the writer stopped`, last.bad === 0 && last.blocks > 0, {
        message: `${last.bad} of ${last.blocks} blocks differ: ${last.badLines.join(' | ')}`,
      });
      ctx.check.ok(`the LUKS2 volume closes on ${vm.host}`, closed.ok, { message: closed.detail });
      ctx.check.equal(`stamps in the clear in the data disk file (grep -c ${DISK_STAMP})`, await data.clearText(), 0);
    },
  };
}

/** Whether the writer logs a stamp past `after` within 20 s. */
async function waitForWrites(writer: GuestWriter, after: number): Promise<boolean> {
  for (let i = 0; i < 40; i++) {
    if ((await writer.writes()) > after) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

/**
 * The guest's root: a qcow2 overlay in the shared directory, on the image staged (by content) at the same path on
 * both hosts — both QEMUs open the same files, as Nova's instances on shared storage.
 */
async function sharedRoot(
  ctx: CaseContext,
  s: MigrationSettings,
  image: BuiltImage,
  ends: [Endpoint, Endpoint],
): Promise<{ image: BuiltImage; overlay: string }> {
  const [onA, onB] = [
    await stageImage(ends[0].transport, image, ctx.signal),
    await stageImage(ends[1].transport, image, ctx.signal),
  ];
  if (!onA.disk || onA.disk.path !== onB.disk?.path)
    throw new HwqualError(
      'E_VM',
      `the Debian 12 image is staged at ${onA.disk?.path} on ${ends[0].name} but ${onB.disk?.path} on ${ends[1].name}`,
    );
  const overlay = `${s.sharedStorage!.replace(/\/+$/, '')}/hwqual-mig-root-${randomBytes(6).toString('hex')}.qcow2`;
  ctx.defer(async () => {
    await ends[0].transport.exec(`rm -f ${shellQuote(overlay)}`, { timeoutMs: 30_000 });
  });
  await ctx.run(
    `qemu-img create -q -f qcow2 -F ${onA.disk.format} -b ${shellQuote(onA.disk.path)} ${shellQuote(overlay)}`,
    { timeout: 120 },
  );
  return { image: onA, overlay };
}
