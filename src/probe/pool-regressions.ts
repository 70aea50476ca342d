import { compareVersions, parseVersion, usableNamedModels, type CpuModelDef } from './qmp-cpu.ts';

/**
 * Models that stop working when the same hardware gets a newer QEMU (a host OS upgrade): usable on the older QEMU,
 * unusable (or gone) on the newer one, on hosts with the same CPU. Pure.
 */
export interface RegressionHost {
  host: string;
  qemuVersion?: string;
  definitions: CpuModelDef[];
  cpu?: { vendor?: string; family?: number; model?: number; stepping?: number; modelName?: string };
}

export interface Regression {
  model: string;
  usableOn: string;
  unusableOn: string;
  /** The features the newer QEMU reports unavailable (or why the model is gone). */
  blocking: string[];
}

const label = (v: string | undefined) => v ?? 'not recorded';

/** Hosts with the same CPU and different QEMU: a model one runs and another (newer, or of unknown version) cannot. */
export function sameHardwareRegressions(hosts: readonly RegressionHost[]): Regression[] {
  const out: Regression[] = [];
  for (const a of hosts) {
    for (const b of hosts) {
      if (a === b || !sameCpu(a, b) || a.qemuVersion === b.qemuVersion) continue;
      const va = parseVersion(a.qemuVersion);
      const vb = parseVersion(b.qemuVersion);
      if (va && vb && compareVersions(va, vb) > 0) continue; // only older → newer when both are known
      const bDefs = new Map(b.definitions.map((d) => [d.name, d]));
      for (const m of usableNamedModels(a.definitions)) {
        const d = bDefs.get(m);
        const tag = (h: RegressionHost) => `${h.host} (QEMU ${label(h.qemuVersion)})`;
        if (d && !d.usable) out.push({ model: m, usableOn: tag(a), unusableOn: tag(b), blocking: d.unavailable });
        else if (!d && va && vb)
          out.push({
            model: m,
            usableOn: tag(a),
            unusableOn: tag(b),
            blocking: [`QEMU ${b.qemuVersion} no longer has ${m}`],
          });
      }
    }
  }
  return out;
}

function sameCpu(a: RegressionHost, b: RegressionHost): boolean {
  const ka = cpuKey(a);
  return ka !== undefined && ka === cpuKey(b);
}

function cpuKey(h: RegressionHost): string | undefined {
  const c = h.cpu;
  if (!c) return undefined;
  if (c.vendor && c.family !== undefined && c.model !== undefined && c.stepping !== undefined)
    return `${c.vendor}/${c.family}/${c.model}/${c.stepping}`;
  return c.modelName?.trim() || undefined;
}
