import type { CpuFacts } from '../model/facts.ts';
import { dropUndefined } from './cpuinfo.ts';
import { lines, toInt, words } from './text.ts';
import { cpuListCount, type LscpuTopology } from './topology.ts';

export interface LscpuFacts {
  arch?: string;
  cpu: CpuFacts;
  numaNodes?: number;
  /** Keys as in sysfs (`spec_store_bypass`); lscpu writes "Mitigation; …" where sysfs has "Mitigation: …". */
  vulnerabilities: Record<string, string>;
  /** VT-x / AMD-V, when lscpu reports it. */
  virtualization?: string;
  hypervisorVendor?: string;
  /** The topology numbers as lscpu states them (for the cross-check). */
  topology: LscpuTopology;
}

/** Field → value, section headers folded in ("Vulnerabilities:" › "L1tf:" becomes "Vulnerability L1tf"). */
export type LscpuFields = Map<string, string>;

/** `lscpu` text, flat (util-linux ≤ 2.36) or with indented sections and wrapped values (≥ 2.37 on a terminal). */
export function lscpuTextFields(text: string): LscpuFields {
  const raw: LscpuFields = new Map();
  let valueColumn = Infinity;
  let section = '';
  let lastKey = '';
  for (const line of lines(text)) {
    if (!line.trim() || line.startsWith('#')) continue;
    const indent = line.length - line.trimStart().length;
    if (indent >= valueColumn && lastKey) {
      // A wrapped value: lscpu cuts mid-word, so keep the text exactly as it continues after the value column.
      raw.set(lastKey, (raw.get(lastKey) ?? '') + line.slice(valueColumn));
      continue;
    }
    const m = /^(\s*)([^:]+):(\s*)(.*)$/.exec(line);
    if (!m) continue;
    const key = m[2].trim();
    const value = m[4];
    if (valueColumn === Infinity && value.trim()) valueColumn = line.length - value.length;
    if (indent === 0) section = value.trim() ? '' : key;
    lastKey = addField(raw, indent > 0 ? section : '', key, value);
  }
  const fields: LscpuFields = new Map();
  for (const [k, v] of raw) if (v.trim()) fields.set(k, v.trim());
  return fields;
}

interface JsonNode {
  field?: string;
  data?: string | null;
  children?: JsonNode[];
}

/** `lscpu -J`: a flat list of {field, data} (2.38 on Debian) or nested under `children` (2.37 on Ubuntu, ≥ 2.39). */
export function lscpuJsonFields(json: string): LscpuFields {
  const root = JSON.parse(json) as { lscpu?: JsonNode[] };
  const fields: LscpuFields = new Map();
  const walk = (nodes: JsonNode[], section: string) => {
    for (const n of nodes) {
      const key = (n.field ?? '').replace(/:$/, '').trim();
      if (!key) continue;
      const value = (n.data ?? '').trim();
      if (value) addField(fields, section, key, value);
      if (n.children) walk(n.children, n.data ? section : key);
    }
  };
  walk(root.lscpu ?? [], '');
  return fields;
}

function addField(fields: LscpuFields, section: string, key: string, value: string): string {
  const name = section === 'Vulnerabilities' ? `Vulnerability ${key}` : key;
  fields.set(name, value);
  return name;
}

export function parseLscpuText(text: string): LscpuFacts {
  return lscpuFacts(lscpuTextFields(text));
}

export function parseLscpuJson(json: string): LscpuFacts {
  return lscpuFacts(lscpuJsonFields(json));
}

export function lscpuFacts(f: LscpuFields): LscpuFacts {
  const cpu: CpuFacts = dropUndefined({
    vendor: f.get('Vendor ID'),
    modelName: f.get('Model name'),
    family: toInt(f.get('CPU family')),
    model: toInt(f.get('Model')),
    stepping: toInt(f.get('Stepping')),
    microcode: f.get('Microcode version'),
    sockets: toInt(f.get('Socket(s)')),
    coresPerSocket: toInt(f.get('Core(s) per socket') ?? f.get('Core(s) per cluster')),
    threadsPerCore: toInt(f.get('Thread(s) per core')),
    threads: toInt(f.get('CPU(s)')),
    flags: f.has('Flags') ? words(f.get('Flags')) : undefined,
  });
  const vulnerabilities: Record<string, string> = {};
  for (const [k, v] of f) {
    if (k.startsWith('Vulnerability ')) vulnerabilities[k.slice(14).toLowerCase().replace(/ /g, '_')] = v;
  }
  return dropUndefined({
    arch: f.get('Architecture'),
    cpu,
    numaNodes: toInt(f.get('NUMA node(s)')),
    vulnerabilities,
    virtualization: f.get('Virtualization'),
    hypervisorVendor: f.get('Hypervisor vendor'),
    topology: dropUndefined({
      cpus: cpu.threads,
      online: cpuListCount(f.get('On-line CPU(s) list')),
      sockets: cpu.sockets,
      coresPerSocket: cpu.coresPerSocket,
      threadsPerCore: cpu.threadsPerCore,
    }),
  });
}
