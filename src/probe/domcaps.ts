import { elements, firstElement, textOf } from './xml.ts';

export interface CpuModelCaps {
  name: string;
  usable: 'yes' | 'no' | 'unknown';
  vendor?: string;
  canonical?: string;
  blockers: string[];
}

export interface DomCapabilities {
  path?: string;
  domain?: string;
  machine?: string;
  arch?: string;
  maxVcpus?: number;
  cpuModes: Record<string, boolean>;
  hostModel?: { name: string; vendor?: string; required: string[]; disabled: string[] };
  customModels: CpuModelCaps[];
  /** `<features>` children with `supported='yes'|'no'` (sev, sgx, tdx, gic, hyperv …). */
  features: Record<string, boolean>;
}

/**
 * `virsh domcapabilities` XML → CPU modes, host-model, named models with their blockers, and launch-security features.
 */
export function parseDomCapabilities(xml: string): DomCapabilities {
  const caps: DomCapabilities = { cpuModes: {}, customModels: [], features: {} };
  const str = (name: string) => textOf(firstElement(xml, name)) || undefined;
  caps.path = str('path');
  caps.domain = str('domain');
  caps.machine = str('machine');
  caps.arch = str('arch');
  const vcpu = firstElement(xml, 'vcpu')?.attrs.max;
  if (vcpu) caps.maxVcpus = Number(vcpu);

  const cpu = firstElement(xml, 'cpu');
  for (const mode of elements(cpu?.inner ?? '', 'mode')) {
    caps.cpuModes[mode.attrs.name] = mode.attrs.supported === 'yes';
    if (mode.attrs.name === 'host-model') {
      const model = firstElement(mode.inner, 'model');
      const feats = elements(mode.inner, 'feature');
      if (model) {
        caps.hostModel = {
          name: textOf(model) ?? '',
          vendor: textOf(firstElement(mode.inner, 'vendor')),
          required: feats.filter((f) => f.attrs.policy === 'require').map((f) => f.attrs.name),
          disabled: feats.filter((f) => f.attrs.policy === 'disable').map((f) => f.attrs.name),
        };
      }
    }
    if (mode.attrs.name === 'custom') caps.customModels = customModels(mode.inner);
  }

  const features = firstElement(xml, 'features');
  for (const m of (features?.inner ?? '').matchAll(/<([\w-]+)\s+supported='(yes|no)'/g))
    caps.features[m[1]] = m[2] === 'yes';
  return caps;
}

function customModels(inner: string): CpuModelCaps[] {
  const blockers = new Map<string, string[]>();
  for (const b of elements(inner, 'blockers'))
    blockers.set(
      b.attrs.model,
      elements(b.inner, 'feature').map((f) => f.attrs.name),
    );
  return elements(inner, 'model').map((m) => {
    const name = textOf(m) ?? '';
    const usable = m.attrs.usable === 'yes' || m.attrs.usable === 'no' ? m.attrs.usable : 'unknown';
    const out: CpuModelCaps = { name, usable, blockers: blockers.get(name) ?? [] };
    if (m.attrs.vendor) out.vendor = m.attrs.vendor;
    if (m.attrs.canonical) out.canonical = m.attrs.canonical;
    return out;
  });
}
