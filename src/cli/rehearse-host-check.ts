import { join } from 'node:path';
import { inMemoryPlan, loadLab } from '../config/index.ts';
import type { HostCheck } from '../rehearsal/index.ts';
import { applySignoff } from '../report/signoff.ts';
import { writeReports } from '../report/write.ts';
import { prepareRun } from '../runner/prepare.ts';
import { executeRun } from '../runner/run.ts';
import type { Accel } from '../vm/spec.ts';

/**
 * host-os on some hosts of the lab, through the runner as `hwqual run` would (fresh connections, every fact, the
 * suite's cases), its reports in `<out>/steps/<NN>-host-os/`. The lab file is read again each time: a re-image
 * relabels its host (`os: debian-13`). The plan requires the target release's os-release, and /dev/kvm and a kvm
 * module only when the guests use KVM (TCG guests need neither, and the lab gives an own-root host no /dev/kvm where
 * KVM hangs).
 */
export async function hostOsThroughRunner(
  o: { labFile: string; out: string; os: { id?: string; versionId?: string } },
  hosts: string[],
  n: number,
  run: { accel: Accel; signal: AbortSignal },
): Promise<Record<string, HostCheck>> {
  const lab = loadLab(o.labFile);
  const plan = inMemoryPlan({
    file: o.labFile,
    sha256: lab.sha256,
    name: `rehearsal: host-os on ${hosts.join(', ')}`,
    suites: ['host-os'],
    hosts: { names: hosts },
    require: { os: o.os, ...(run.accel === 'tcg' && { kvm: false }) },
    // The step records each host's OS and QEMU (below): identity and virt beside what host-os itself reads.
    facts: ['identity', 'security', 'virt'],
  });
  const reports = join('steps', `${String(n).padStart(2, '0')}-host-os`);
  const outDir = join(o.out, reports);
  const prepared = await prepareRun({ lab, plan, signal: run.signal });
  const results = applySignoff(await executeRun({ lab, plan, prepared, outDir, signal: run.signal }));
  await writeReports(outDir, results);
  return Object.fromEntries(
    hosts.map((host) => {
      const facts = results.hosts.find((h) => h.name === host)?.facts;
      const unreachable = prepared.hosts.find((h) => h.info.name === host)?.error;
      const check: HostCheck = {
        cases: results.cases
          .filter((c) => c.host === host)
          .map((c) => ({ id: c.id, status: c.status, ...(c.message && { message: c.message }) })),
        ...(unreachable && { unreachable }),
        reports,
        ...(facts?.os && { os: { id: facts.os.id, versionId: facts.os.versionId } }),
        ...(facts?.qemu?.version && { qemu: facts.qemu.version }),
      };
      return [host, check];
    }),
  );
}
