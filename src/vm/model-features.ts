import { expansionFeatures, canonicalFeature } from '../probe/qmp-cpu.ts';
import type { Transport } from '../transport/types.ts';
import type { QmpClient } from './qmp-client.ts';
import { openQmpProbe } from './qmp-probe.ts';
import type { Accel } from './spec.ts';

/** What QEMU says a CPU model gives on this host + accelerator (canonical QEMU feature names). */
export interface ModelFeatures {
  model: string;
  accel: Accel;
  /** Boolean CPUID features of the static expansion, minus `unavailable`. */
  features: string[];
  /** The model's unavailable-features here (query-cpu-definitions); [] for max/host. */
  unavailable: string[];
}

/**
 * Ask a QEMU: `query-cpu-model-expansion` (static) of the model and its `unavailable-features`. Ask a QEMU started
 * without `-cpu` modifiers: QEMU applies `-cpu max,-aes` to every expansion of `max` in that process.
 */
export async function queryModelFeatures(qmp: QmpClient, model: string, accel: Accel): Promise<ModelFeatures> {
  const expansion = await qmp.queryCpuModelExpansion('static', { name: model });
  const def = (await qmp.queryCpuDefinitions()).find((d) => d.name === model);
  const unavailable = [...new Set((def?.['unavailable-features'] ?? []).map(canonicalFeature))].sort();
  const features = expansionFeatures(expansion.model.props).filter((f) => !unavailable.includes(f));
  return { model, accel, features, unavailable };
}

const cache = new WeakMap<Transport, Map<string, Promise<ModelFeatures>>>();

/** queryModelFeatures through a guest-less probe QEMU (`-machine none`), once per host, accelerator and model. */
export function modelFeaturesOnce(
  transport: Transport,
  model: string,
  accel: Accel,
  o: { qemuBinary?: string; signal?: AbortSignal } = {},
): Promise<ModelFeatures> {
  let byKey = cache.get(transport);
  if (!byKey) cache.set(transport, (byKey = new Map()));
  const key = `${accel}/${model}/${o.qemuBinary ?? ''}`;
  let p = byKey.get(key);
  if (!p) {
    p = (async () => {
      const probe = await openQmpProbe(transport, { accel, qemuBinary: o.qemuBinary, signal: o.signal });
      try {
        return await queryModelFeatures(probe.qmp, model, accel);
      } finally {
        await probe.close();
      }
    })();
    byKey.set(key, p);
    p.catch(() => byKey!.delete(key));
  }
  return p;
}
