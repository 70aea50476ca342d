import type { CpuFacts } from '../model/facts.ts';
import { CPUID_BITS, synthesizedFlags } from './cpuid-bits.ts';
import { elements } from './xml.ts';

export interface CpuidLeaf {
  eaxIn: number;
  ecxIn: number;
  eax: number;
  ebx: number;
  ecx: number;
  edx: number;
}
type Reg = 'eax' | 'ebx' | 'ecx' | 'edx';

/** The `<cpuid eax_in ecx_in eax ebx ecx edx/>` leaves of a libvirt cpudata XML (tests/cputestdata/*.xml). */
export function parseCpuidLeaves(xml: string): CpuidLeaf[] {
  return elements(xml, 'cpuid').map(({ attrs: a }) => ({
    eaxIn: Number(a.eax_in),
    ecxIn: Number(a.ecx_in ?? 0),
    eax: Number(a.eax),
    ebx: Number(a.ebx),
    ecx: Number(a.ecx),
    edx: Number(a.edx),
  }));
}

/**
 * Decodes raw CPUID leaves into CPU facts: vendor, brand string, family/model/stepping, Linux-named flags, SMT/cores.
 */
export function decodeCpuid(leaves: CpuidLeaf[]): CpuFacts {
  const leaf = (eaxIn: number, ecxIn = 0) => leaves.find((l) => l.eaxIn === eaxIn && l.ecxIn === ecxIn);
  const reg = (key: string): number | undefined => {
    const [l, s, r] = key.split(':');
    return leaf(Number(l), Number(s))?.[r as Reg];
  };
  const bit = (key: string, n: number) => (((reg(key) ?? 0) >>> n) & 1) === 1;

  const facts: CpuFacts = {};
  const l0 = leaf(0);
  if (l0) facts.vendor = ascii([l0.ebx, l0.edx, l0.ecx]);
  const brand = [0x80000002, 0x80000003, 0x80000004].map((n) => leaf(n));
  if (brand.every(Boolean)) {
    const name = ascii(brand.flatMap((l) => [l!.eax, l!.ebx, l!.ecx, l!.edx])).trim();
    if (name) facts.modelName = name;
  }
  const l1 = leaf(1);
  if (l1) Object.assign(facts, signature(l1.eax));

  const flags = new Set<string>();
  for (const [key, names] of Object.entries(CPUID_BITS)) {
    for (const [n, name] of Object.entries(names)) if (bit(key, Number(n))) flags.add(name);
  }
  for (const f of synthesizedFlags(bit)) flags.add(f);
  facts.flags = [...flags];

  // Topology as enumerated for the package this dump came from (leaf 0xb: SMT level, then core level).
  const smt = leaf(0xb, 0)?.ebx ?? 0;
  const pkg = leaf(0xb, 1)?.ebx ?? 0;
  if ((smt & 0xffff) > 0) facts.threadsPerCore = smt & 0xffff;
  if ((smt & 0xffff) > 0 && (pkg & 0xffff) > 0) facts.coresPerSocket = (pkg & 0xffff) / (smt & 0xffff);
  return facts;
}

export function parseCpuidXml(xml: string): CpuFacts {
  return decodeCpuid(parseCpuidLeaves(xml));
}

/** Family/model/stepping from leaf 1 EAX, with the extended fields applied as the SDM/APM say. */
export function signature(eax: number): { family: number; model: number; stepping: number } {
  const stepping = eax & 0xf;
  let model = (eax >>> 4) & 0xf;
  let family = (eax >>> 8) & 0xf;
  if (family === 0xf) family += (eax >>> 20) & 0xff;
  if (family === 0x6 || family >= 0xf) model += ((eax >>> 16) & 0xf) << 4;
  return { family, model, stepping };
}

function ascii(regs: number[]): string {
  const buf = Buffer.alloc(regs.length * 4);
  regs.forEach((r, i) => {
    buf.writeUInt32LE(r >>> 0, i * 4);
  });
  return buf.toString('latin1').replace(/\0+$/g, '').replace(/\0/g, '');
}
