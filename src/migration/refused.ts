import { messageOf } from '../model/errors.ts';
import { vmWorkDir } from '../vm/work-dirs.ts';
import { launchWorkloadGuest, waitForWorkload } from './guest.ts';
import { LineCollector } from './heartbeat.ts';
import { onFreePort } from './incoming.ts';
import type { MigrationBasics } from './hop.ts';
import type { HopReport } from './types.ts';
import { qemuLeftIn, verifyHop } from './verify.ts';

export interface RefusalRun {
  /** QEMU's own words when the destination refused to start; undefined when it started. */
  refusal?: string;
  /** The hop that never happened: outcome `failed`, the guest on the source, and the checks below. */
  hop: HopReport;
}

/**
 * A destination that must refuse the guest before any migration starts — e.g. B's key for the encrypted data disk
 * is wrong, so B's QEMU cannot open the LUKS header and exits at start. The workload guest boots on A; B's QEMU is
 * started with `-incoming` exactly as a migration would start it; `migrate` is never sent. Checked: B refused (in
 * QEMU's words), `query-migrate` on A shows no migration, the guest goes on on A (heartbeat, RAM and disk
 * integrity, disk writes), and nothing of B's attempt is left on B.
 */
export async function expectDestinationRefusal(req: MigrationBasics): Promise<RefusalRun> {
  const { source: A, destination: B, signal } = req;
  const collector = new LineCollector();
  const src = await launchWorkloadGuest(A.transport, A.name, req.image, req.guest, collector, { signal });
  try {
    await waitForWorkload(src, collector, signal);
    const t0 = Date.now();
    const workDir = vmWorkDir(B.transport, `mig-${B.name}`);
    let refusal: string | undefined;
    let uri = '';
    try {
      const { started, uri: at } = await onFreePort(B.address, (incoming) => {
        uri = incoming;
        return launchWorkloadGuest(B.transport, B.name, req.image, req.guest, collector, { incoming, signal, workDir });
      });
      uri = at;
      await started.vm.teardown();
    } catch (err) {
      if (signal?.aborted) throw err;
      refusal = messageOf(err);
    }
    const status = (await src.vm.qmp.queryMigrate({ signal })).status ?? 'none';
    const hop: HopReport = {
      from: A.name,
      to: B.name,
      strategy: req.strategy,
      outcome: 'failed',
      diagnosis: refusal ? `${B.name} refused to start the destination: ${refusal}` : `${B.name} started`,
      guestOn: A.name,
      uri,
      settings: { source: { capabilities: {}, parameters: {} }, destination: { capabilities: {}, parameters: {} } },
      metrics: {},
      samples: [],
      passes: [],
      events: [],
      checks: [
        {
          name: `${B.name} refuses to start the destination`,
          ok: refusal !== undefined,
          detail: refusal ?? `${B.name}'s QEMU started (and was ended): it was expected to refuse`,
        },
        {
          name: `no migration on ${A.name} (query-migrate)`,
          ok: status === 'none',
          detail: `query-migrate on ${A.name}: ${status === 'none' ? 'no migration' : status}`,
        },
      ],
      cleanupPending: [],
      window: { from: t0, to: Date.now() },
    };
    const left = await qemuLeftIn(B.transport, workDir);
    hop.checks.push({
      name: `nothing left on ${B.name}`,
      ok: left === false,
      detail:
        left === undefined
          ? `${B.name} could not be asked`
          : left
            ? `a QEMU or the work dir ${workDir} is left on ${B.name}`
            : `no QEMU and no work dir of the attempt on ${B.name}`,
    });
    await verifyHop(hop, src, collector, signal);
    return { refusal, hop };
  } finally {
    await src.vm.teardown().catch(() => {});
  }
}
