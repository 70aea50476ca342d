import { HwqualError } from '../model/errors.ts';
import type { Handoff, PoolHandoff } from './handoff.ts';

/**
 * handoff.json as `hwqual openstack` wrote it, read back (the openstack-handoff suite verifies it): the fields the
 * verification reads are checked, each problem naming the file and the field; anything else is E_CONFIG. Pure.
 */
export function parseHandoff(text: string, file: string): Handoff {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new HwqualError('E_CONFIG', `${file}: not JSON (${(err as Error).message}); write it with hwqual openstack`);
  }
  const bad = (field: string, what: string) => new HwqualError('E_CONFIG', `${file}: ${field}: ${what}`);
  if (!isObject(data) || !isObject(data.run)) throw bad('/run', 'missing: not a handoff.json of hwqual openstack');
  if (!Array.isArray(data.pools) || data.pools.length === 0) throw bad('/pools', 'no pool');
  data.pools.forEach((p: unknown, i: number) => {
    const at = `/pools/${i}`;
    if (!isObject(p)) throw bad(at, 'not an object');
    if (typeof p.pool !== 'string' || !p.pool) throw bad(`${at}/pool`, 'missing');
    if (!isStrings(p.hosts) || !p.hosts.length) throw bad(`${at}/hosts`, 'expected a list of host names');
    if (!Array.isArray(p.cpuModels) || !p.cpuModels.every((m) => isObject(m) && typeof m.libvirt === 'string'))
      throw bad(`${at}/cpuModels`, 'expected [{ libvirt, qemu }]');
    if (!isStrings(p.extraFlags)) throw bad(`${at}/extraFlags`, 'expected a list of flags');
    if (!isObject(p.traits) || !Object.values(p.traits).every(isStrings))
      throw bad(`${at}/traits`, 'expected host → list of traits');
    for (const h of p.hosts as string[]) if (!p.traits[h]) throw bad(`${at}/traits/${h}`, 'missing');
    if (!Array.isArray(p.flavors) || !p.flavors.every((f) => isObject(f) && isObject(f.extraSpecs)))
      throw bad(`${at}/flavors`, 'expected [{ feature, extraSpecs, imageProperties }]');
  });
  return data as unknown as Handoff;
}

/** The pool's fragment file name in the hand-off folder (what `hwqual openstack` writes). */
export function fragmentFile(p: Pick<PoolHandoff, 'pool'>): string {
  return `nova-compute-${p.pool}.conf`;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isStrings(x: unknown): x is string[] {
  return Array.isArray(x) && x.every((s) => typeof s === 'string');
}
