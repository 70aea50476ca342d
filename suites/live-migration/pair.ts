import type { CaseContext } from '../../src/suite-api/index.ts';
import type { Endpoint } from '../../src/suite-api/migration.ts';
import { type Accel, resolveAccel } from '../../src/suite-api/vm.ts';
import type { MigrationSettings } from './settings.ts';

/**
 * The two ends of a case's pair (the case's host and `to`, with their migration addresses) and the accelerator the
 * guest runs under; the case is skipped when `to` is not in the run or either host is a replayed profile.
 */
export async function pairEnds(
  ctx: CaseContext,
  s: MigrationSettings,
  to: string,
): Promise<{ source: Endpoint; destination: Endpoint; accel: Accel }> {
  const peer = ctx.peer?.(to);
  const toInfo = ctx.plan.hosts?.find((h) => h.name === to);
  if (!peer || !toInfo) return ctx.skip(`destination host ${to} is not part of this run`);
  if (ctx.host.replayed || toInfo.replayed)
    return ctx.skip('live migration needs live hosts (a replayed profile cannot run QEMU)');
  const accel = (await resolveAccel(ctx.transport, s.accel, { signal: ctx.signal })).accel;
  return {
    source: { name: ctx.host.name, transport: ctx.transport, address: ctx.host.migrationAddress },
    destination: { name: to, transport: peer, address: toInfo.migrationAddress },
    accel,
  };
}
