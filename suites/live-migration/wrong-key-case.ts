import type { CaseDef } from '../../src/suite-api/index.ts';
import { expectDestinationRefusal } from '../../src/suite-api/migration.ts';
import { ensureImage } from '../../src/suite-api/vm.ts';
import { migrationPool, resolvePoolGuest } from './cpu-model.ts';
import { DISK_STAMP, prepareDataDisk } from './data-disk.ts';
import { pairEnds } from './pair.ts';
import { tuningOf, type MigrationSettings } from './settings.ts';

/** QEMU's words when it cannot open a LUKS header with the key it was given (qcow2 `encrypt.format=luks`). */
export const LUKS_REFUSAL = /Invalid password|cannot unlock/i;

/**
 * The destination gets the wrong key for the encrypted data disk: its QEMU cannot open the LUKS header and exits at
 * start, before `migrate` is ever sent. Passes when exactly that happens — QEMU's refusal quoted, no migration on
 * the source, the guest (heartbeat, RAM and disk) going on there, nothing left on the destination.
 */
export function wrongKeyCase(s: MigrationSettings, from: string, to: string): CaseDef {
  return {
    id: 'migrate-wrong-key',
    title: `Encrypted disk: ${to} has the wrong key and refuses the guest from ${from} before any migration`,
    params: { from, to },
    alsoLocks: [to],
    tags: ['migration', 'luks'],
    timeoutSec: 300 + s.cleanupWaitSec,
    async run(ctx) {
      const { source, destination, accel } = await pairEnds(ctx, s, to);
      const disk = await prepareDataDisk(ctx, s, source, destination, { wrongKeyOn: to });
      const pool = migrationPool(
        s.pairs,
        (ctx.plan.hosts ?? []).map((h) => h.name),
      );
      const { cpu, machine } = await resolvePoolGuest(ctx, s, pool, accel);
      if ('none' in machine) return ctx.fail(`${machine.none}: no guest can migrate between them`);
      const { refusal, hop } = await expectDestinationRefusal({
        source,
        destination,
        image: await ensureImage('tiny'),
        guest: { accel, cpu: cpu.model, machine: machine.machine, ...s.guest, dataDisk: disk.disk },
        strategy: 'precopy',
        tuning: tuningOf(s),
        signal: ctx.signal,
      });
      ctx.log(hop.diagnosis ?? '');
      if (refusal) ctx.fact(`migration.wrongKeyRefusal.${to}`, refusal);
      await ctx.artifact(
        'migration.json',
        `${JSON.stringify({ cpuModel: cpu, machine, refusal, hops: [hop] }, null, 2)}\n`,
      );
      for (const c of hop.checks) ctx.check.ok(`${from}→${to}: ${c.name}`, c.ok, { message: c.detail });
      ctx.check.match(`${to}'s QEMU refuses the wrong key in its own words`, refusal, LUKS_REFUSAL);
      ctx.check.equal(
        `stamps in the clear in the encrypted disk file (grep -c ${DISK_STAMP})`,
        await disk.clearText(),
        0,
      );
    },
  };
}
