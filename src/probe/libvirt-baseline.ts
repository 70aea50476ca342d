import type { CpuModelCaps } from './domcaps.ts';
import { qemuModelName } from './libvirt-names.ts';
import { elements, firstElement, textOf } from './xml.ts';

/**
 * libvirt's pool baseline (`virsh hypervisor-cpu-baseline`) next to hwqual's own (computePoolBaseline). Pure: the
 * input file, the answer parsed, and the comparison through the QEMU↔libvirt name map — the same model under two
 * names (Westmere / Westmere-v1) is not a difference.
 */
export interface LibvirtCpuDef {
  model?: string;
  vendor?: string;
  features: Array<{ policy: string; name: string }>;
}

/** One `<cpu>` per member, as hypervisor-cpu-baseline reads them (no wrapper element: libvirt looks for `cpu`). */
export function baselineInput(members: ReadonlyArray<{ host: string; cpu: string }>): string {
  return `${members.map((m) => `<!-- ${m.host} -->\n${m.cpu.trim()}`).join('\n')}\n`;
}

/** A `<cpu mode='custom'>` of one named model (what a member can run, when its host-model is not the question). */
export function namedCpu(model: string): string {
  return `<cpu mode='custom' match='exact'>\n  <model fallback='forbid'>${model}</model>\n</cpu>`;
}

/** The host-model `<cpu>` of a domcapabilities XML, as a custom CPU definition (the hardware under KVM). */
export function hostModelCpu(domcapsXml: string): string | undefined {
  const mode = elements(domcapsXml, 'mode').find((m) => m.attrs.name === 'host-model' && m.attrs.supported === 'yes');
  return mode && `<cpu mode='custom' match='exact'>${mode.inner}</cpu>`;
}

export function parseBaselineCpu(xml: string): LibvirtCpuDef {
  const model = firstElement(xml, 'model');
  return {
    ...(model && { model: textOf(model) }),
    ...(firstElement(xml, 'vendor') && { vendor: textOf(firstElement(xml, 'vendor')) }),
    features: elements(xml, 'feature').map((f) => ({ policy: f.attrs.policy ?? 'require', name: f.attrs.name ?? '' })),
  };
}

export interface BaselineAnswer {
  /** The member whose libvirt answered (or failed to). */
  host: string;
  libvirtVersion?: string;
  cpu?: LibvirtCpuDef;
  /** virsh's words when it could not compute one. */
  error?: string;
}

export interface BaselineComparison {
  host: string;
  /** hwqual's model, libvirt's answer, and the QEMU name libvirt's stands for. */
  hwqual?: string;
  libvirt?: string;
  libvirtAsQemu?: string;
  same: boolean;
  detail: string;
}

/** Each member libvirt's answer against hwqual's model: same model (by the name map), or a difference in words. */
export function compareBaselines(
  hwqualModel: string | undefined,
  answers: readonly BaselineAnswer[],
  modelsByHost: ReadonlyMap<string, readonly Pick<CpuModelCaps, 'name' | 'canonical'>[]>,
): BaselineComparison[] {
  return answers.map((a) => {
    const by = `libvirt${a.libvirtVersion ? ` ${a.libvirtVersion}` : ''} on ${a.host}`;
    if (a.error || !a.cpu?.model)
      return {
        host: a.host,
        hwqual: hwqualModel,
        same: false,
        detail: `${by} computed no baseline: ${a.error ?? 'its answer names no model'}`,
      };
    const asQemu = qemuModelName(a.cpu.model, modelsByHost.get(a.host) ?? []);
    const mine = hwqualModel && qemuModelName(hwqualModel, modelsByHost.get(a.host) ?? []);
    const same = mine !== undefined && asQemu === mine;
    const extra = a.cpu.features.filter((f) => f.policy !== 'disable').map((f) => f.name);
    const gone = a.cpu.features.filter((f) => f.policy === 'disable').map((f) => f.name);
    const feats = [extra.length ? `+${extra.join(' +')}` : '', gone.length ? `-${gone.join(' -')}` : '']
      .filter(Boolean)
      .join(' ');
    return {
      host: a.host,
      hwqual: hwqualModel,
      libvirt: a.cpu.model,
      libvirtAsQemu: asQemu,
      same,
      detail: same
        ? `${by}: ${a.cpu.model} (= ${asQemu}), the same model as hwqual's ${hwqualModel}` +
          `${feats ? `; libvirt adds ${feats}` : ''}`
        : `${by}: ${a.cpu.model} (${asQemu})${feats ? ` ${feats}` : ''}; hwqual: ${hwqualModel ?? 'no model'}`,
    };
  });
}
