import { messageOf } from '../model/errors.ts';
import {
  deprecatedMachineTypes,
  expansionFeatures,
  hostCpuFromExpansion,
  machineTypes,
  parseCpuDefinitions,
  usableNamedModels,
  type CpuModelDef,
  type HostCpuFromQmp,
} from '../probe/qmp-cpu.ts';
import type { Transport } from '../transport/types.ts';
import type { QmpClient } from './qmp-client.ts';
import type { QmpCpuModelExpansion } from '../model/qmp.ts';
import type { Accel } from './spec.ts';
import { isNotRecorded, openQmpProbe } from './qmp-probe.ts';

/** What one host's QEMU says about CPU models (plain data; what the cases and the pool baseline read). */
export interface QemuCpuFacts {
  host: string;
  accel: Accel;
  mode: 'live' | 'replayed';
  /** `7.2.0`; undefined when not recorded (replayed dumps without query-version). */
  qemuVersion?: string;
  definitions: CpuModelDef[];
  /** Machine type names; undefined when query-machines was not recorded (or failed: machinesError). */
  machines?: string[];
  /** The machine types query-machines marks `deprecated` (going away in a later QEMU). */
  deprecatedMachines?: string[];
  machinesError?: string;
  /** The `host` model expansion under KVM: the CPU's identity and features as KVM can give them. */
  hostCpu?: HostCpuFromQmp;
  /** What the accelerator can give a guest: the `host` (KVM) or `max` (TCG) static expansion, canonical names. */
  accelFeatures?: { model: 'host' | 'max'; features: string[] };
  /** Static expansions of the usable named models, as this host's QEMU has them (features, canonical names). */
  expansions: Record<string, string[]>;
}

/** Ask everything once: version, definitions, machines, host expansion, the usable models' static expansions. */
export async function readQemuCpuFacts(
  qmp: QmpClient,
  host: string,
  accel: Accel,
  mode: 'live' | 'replayed',
): Promise<QemuCpuFacts> {
  const facts: QemuCpuFacts = { host, accel, mode, definitions: [], expansions: {} };
  const g = qmp.greeting?.QMP.version;
  const v = await qmp.queryVersion().catch(() => g);
  if (v && v.qemu.major > 0) facts.qemuVersion = `${v.qemu.major}.${v.qemu.minor}.${v.qemu.micro}`;
  facts.definitions = parseCpuDefinitions(await qmp.queryCpuDefinitions());
  try {
    const reply = await qmp.queryMachines();
    facts.machines = machineTypes(reply);
    facts.deprecatedMachines = deprecatedMachineTypes(reply);
  } catch (err) {
    facts.machinesError = isNotRecorded(err) ? 'not recorded' : messageOf(err);
  }
  const model = accel === 'kvm' ? 'host' : 'max';
  const own = await qmp.queryCpuModelExpansion('static', { name: model }).catch(() => undefined);
  if (own) {
    if (model === 'host') facts.hostCpu = hostCpuFromExpansion(own.model.props);
    facts.accelFeatures = { model, features: expansionFeatures(own.model.props) };
  }
  for (const name of usableNamedModels(facts.definitions)) {
    const e = await expandOrUndefined(qmp, name);
    if (e) facts.expansions[name] = e;
  }
  return facts;
}

export async function expandOrUndefined(qmp: QmpClient, name: string): Promise<string[] | undefined> {
  try {
    const r: QmpCpuModelExpansion = await qmp.queryCpuModelExpansion('static', { name });
    return expansionFeatures(r.model.props);
  } catch {
    return undefined;
  }
}

/** The QEMU system emulator for a host's architecture (`uname -m`); x86_64 unless it is aarch64. */
export function qemuBinaryFor(arch: string | undefined): string {
  return arch === 'aarch64' ? 'qemu-system-aarch64' : 'qemu-system-x86_64';
}

interface SharedProbe {
  promise: Promise<QemuCpuFacts>;
  /** The signal of the case that started it: its cancel ends the probe for everyone waiting. */
  signal?: AbortSignal;
}
const cache = new WeakMap<Transport, Map<string, SharedProbe>>();

function sharedProbe(
  transport: Transport,
  accel: Accel,
  o: { qemuBinary?: string; signal?: AbortSignal },
): SharedProbe {
  let byAccel = cache.get(transport);
  if (!byAccel) cache.set(transport, (byAccel = new Map()));
  const known = byAccel.get(accel);
  if (known) return known;
  const promise = (async () => {
    const probe = await openQmpProbe(transport, { accel, qemuBinary: o.qemuBinary, signal: o.signal });
    try {
      return await readQemuCpuFacts(probe.qmp, transport.host, accel, probe.mode);
    } finally {
      await probe.close();
    }
  })();
  const entry = { promise, signal: o.signal };
  byAccel.set(accel, entry);
  promise.catch(() => {
    if (byAccel.get(accel) === entry) byAccel.delete(accel);
  });
  return entry;
}

/**
 * readQemuCpuFacts through a probe QEMU, once per transport and accelerator (cases of one run share it). A probe
 * ended by the cancel of the case that started it is asked again for a caller that was not cancelled.
 */
export async function qemuCpuFactsOnce(
  transport: Transport,
  accel: Accel,
  o: { qemuBinary?: string; signal?: AbortSignal } = {},
): Promise<QemuCpuFacts> {
  for (let attempt = 1; ; attempt++) {
    const shared = sharedProbe(transport, accel, o);
    try {
      return await shared.promise;
    } catch (err) {
      const othersCancel = shared.signal !== o.signal && shared.signal?.aborted && !o.signal?.aborted;
      if (!othersCancel || attempt >= 3) throw err;
    }
  }
}
