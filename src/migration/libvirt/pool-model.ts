import { HwqualError } from '../../model/errors.ts';
import { poolLibvirtModelName } from '../../probe/libvirt-names.ts';
import { parseCpuSpec } from '../../probe/guest-flag-check.ts';
import { domCapabilitiesOnce } from '../../vm/libvirt/host-caps.ts';
import type { WorkloadGuest } from '../types.ts';
import type { MigrationBasics } from '../hop.ts';

/**
 * The workload guest with its CPU model named as every host of the hop's libvirt accepts it: libvirt checks the
 * destination's XML by the model's name, so `Westmere-v1` (hwqual's TCG baseline) becomes `Westmere` on a pool with
 * libvirt 9.0. No such name → E_VM naming each host's answer. max/host/host-model pass as they are.
 */
export async function withPoolLibvirtModel(req: MigrationBasics, signal?: AbortSignal): Promise<WorkloadGuest> {
  const cpu = req.guest.cpu;
  if (!cpu) return req.guest;
  const { model } = parseCpuSpec(cpu);
  if (['max', 'host', 'host-model'].includes(model)) return req.guest;
  const virttype = req.guest.accel === 'kvm' ? 'kvm' : 'qemu';
  const pool = await Promise.all(
    [req.source, req.destination].map(async (e) => ({
      host: e.name,
      models: (await domCapabilitiesOnce(e.transport, virttype, signal)).customModels,
    })),
  );
  const name = poolLibvirtModelName(model, pool);
  if (name.name === undefined)
    throw new HwqualError(
      'E_VM',
      `driver libvirt: CPU model ${model} for ${pool.map((p) => p.host).join(' and ')}: ${name.problem}`,
    );
  return { ...req.guest, cpu: cpu.replace(model, name.name) };
}
