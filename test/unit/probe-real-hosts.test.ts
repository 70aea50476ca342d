import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CpuFacts } from '../../src/model/facts.ts';
import { parseCpuidXml } from '../../src/probe/cpuid-xml.ts';
import { parseCpuinfo } from '../../src/probe/cpuinfo.ts';
import { parseDomCapabilities } from '../../src/probe/domcaps.ts';
import { parseLscpuText } from '../../src/probe/lscpu.ts';
import { parseVulnerabilities } from '../../src/probe/vulnerabilities.ts';
import { REAL_HOSTS } from '../support/paths.ts';

/** Every capture in real-hosts/ (but the QMP folders, which the CPU suite reads) and the parser that takes it. */
function parserFor(rel: string): ((text: string) => CpuFacts | Record<string, unknown>) | undefined {
  if (/cpuinfo[^/]*\.txt$/.test(rel)) return parseCpuinfo;
  if (/lscpu[^/]*\.txt$/.test(rel)) return (t) => parseLscpuText(t).cpu;
  if (/cpuid-libvirt\.xml$/.test(rel)) return parseCpuidXml;
  if (/domcapabilities[^/]*\.xml$/.test(rel)) return (t) => ({ ...parseDomCapabilities(t) });
  if (/vulnerabilities[^/]*\.txt$/.test(rel)) return parseVulnerabilities;
  return undefined;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

describe('every real-host capture has a parser and gives CPU facts', () => {
  const all = files(REAL_HOSTS)
    .map((f) => relative(REAL_HOSTS, f))
    .filter((f) => !/^qmp-(kvm|replies)\//.test(f) && f !== 'SOURCES.md');

  it('knows every file', () => {
    expect(all.length).toBeGreaterThanOrEqual(19);
    expect(all.filter((f) => !parserFor(f))).toEqual([]);
  });

  it.each(all.filter((f) => /cpuinfo|lscpu|cpuid/.test(f)))('%s: vendor, a model, flags', (rel) => {
    const c = parserFor(rel)!(readFileSync(join(REAL_HOSTS, rel), 'utf8')) as CpuFacts;
    expect(c.vendor).toMatch(/^(GenuineIntel|AuthenticAMD|ARM|Ampere)$/);
    expect(
      c.modelName ?? (c.family !== undefined && c.model !== undefined ? `${c.family}/${c.model}` : undefined),
    ).toBeTruthy();
    expect(c.flags?.length).toBeGreaterThan(10);
    for (const f of c.flags ?? []) expect(f).toMatch(/^[a-z0-9_]+$/);
  });

  it.each(all.filter((f) => /domcapabilities|vulnerabilities/.test(f)))('%s parses', (rel) => {
    const r = parserFor(rel)!(readFileSync(join(REAL_HOSTS, rel), 'utf8'));
    expect(Object.keys(r).length).toBeGreaterThan(3);
  });
});
