import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { LocalTransport } from '../transport/local.ts';
import { probeKvm, type KvmProbe } from '../vm/accel.ts';
import { imagesCacheDir } from '../vm/images/cache.ts';
import type { LabKvm } from './types.ts';

/**
 * Whether own-root hosts get a /dev/kvm node. Lab hosts share this machine's kernel, so hwqual's own KVM probe
 * (src/vm/accel.ts: a tiny guest under KVM) decides for all of them: only `usable` gives the node. Without it, QEMU
 * and libvirt in the root fall back to TCG instead of hanging under a KVM that stalls (nested virtualisation).
 */
export async function kvmForRoots(noKvm: boolean | undefined): Promise<LabKvm> {
  if (noKvm) return { node: false, reason: 'no /dev/kvm: `lab up --no-kvm`' };
  const probe = await probeOncePerBoot();
  return probe.state === 'usable'
    ? { node: true, reason: `/dev/kvm: the KVM probe says usable (${probe.reason})` }
    : { node: false, reason: `no /dev/kvm: the KVM probe says ${probe.state} (${probe.reason})` };
}

/**
 * The probe costs its timeout (8 s) where KVM hangs: its answer is kept in the cache for this boot of the machine
 * (`kvm-probe.json`, keyed by /proc/sys/kernel/random/boot_id).
 */
async function probeOncePerBoot(): Promise<KvmProbe> {
  const file = join(dirname(imagesCacheDir()), 'kvm-probe.json');
  const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  try {
    const saved = JSON.parse(await readFile(file, 'utf8')) as { bootId: string; probe: KvmProbe };
    if (saved.bootId === bootId) return saved.probe;
  } catch {
    /* none yet */
  }
  const probe = await probeKvm(new LocalTransport('local'));
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify({ bootId, probe }, null, 2)}\n`);
  return probe;
}
