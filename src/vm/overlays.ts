import { HwqualError } from '../model/errors.ts';
import type { Transport } from '../transport/types.ts';
import { shellQuote } from './shell.ts';
import type { VmSpec } from './spec.ts';

/** The spec with each overlay disk replaced by a fresh qcow2 overlay in the VM's work dir (every driver). */
export async function withOverlays(
  transport: Transport,
  spec: VmSpec,
  workDir: string,
  signal?: AbortSignal,
): Promise<VmSpec> {
  if (!spec.disks?.some((d) => d.overlay)) return spec;
  const disks = [];
  for (const [i, disk] of spec.disks.entries()) {
    if (!disk.overlay) {
      disks.push(disk);
      continue;
    }
    const overlay = `${workDir}/disk${i}-overlay.qcow2`;
    await transport
      .exec(`qemu-img create -q -f qcow2 -F ${disk.format} -b ${shellQuote(disk.path)} ${shellQuote(overlay)}`, {
        timeoutMs: 30_000,
        signal,
      })
      .then(check(transport, 'qemu-img create (overlay)'));
    disks.push({ ...disk, path: overlay, format: 'qcow2' as const, overlay: false });
  }
  return { ...spec, disks };
}

export function check(transport: Transport, what: string) {
  return (r: { exitCode: number | null; stderr: string }) => {
    if (r.exitCode !== 0)
      throw new HwqualError('E_VM', `${what} on ${transport.host} failed: ${r.stderr.trim()}`, {
        host: transport.host,
      });
    return r;
  };
}

export function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40);
}
