import { newestMachine, type MachineFamily } from './qmp-cpu.ts';

/**
 * The machine types a pool can live-migrate with: per family (q35, i440fx) the newest versioned type every member's
 * QEMU offers, and which of those a member's QEMU marks deprecated (query-machines `deprecated`: it is going away in a
 * later QEMU, so the pool cannot keep it through the next host OS upgrade). Pure.
 */
export interface MachineHost {
  host: string;
  qemuVersion?: string;
  /** query-machines names (aliases included); undefined when not recorded. */
  machines?: string[];
  /** The names query-machines marks `deprecated: true`. */
  deprecatedMachines?: string[];
}

export interface DeprecatedMachine {
  machine: string;
  /** `node-b (QEMU 9.2.0)` for each member whose QEMU marks it deprecated. */
  deprecatedOn: string[];
}

export interface PoolMachines {
  /** Newest q35 type every member offers. */
  q35?: string;
  /** Newest i440fx type every member offers. */
  i440fx?: string;
  /** One line saying what was found and why (also when nothing was). */
  note: string;
  /** The chosen types that some member's QEMU marks deprecated. */
  deprecated: DeprecatedMachine[];
}

const tag = (h: MachineHost) => `${h.host} (QEMU ${h.qemuVersion ?? 'version not recorded'})`;

export function poolMachines(hosts: readonly MachineHost[]): PoolMachines {
  const unrecorded = hosts.filter((h) => !h.machines).map((h) => h.host);
  if (unrecorded.length)
    return {
      note: `machine types: not recorded (${unrecorded.join(', ')} did not record query-machines)`,
      deprecated: [],
    };
  if (!hosts.length) return { note: 'machine types: the pool has no host', deprecated: [] };
  const shared = hosts.map((h) => h.machines!).reduce((acc, m) => acc.filter((n) => m.includes(n)));
  const pick = (f: MachineFamily) => newestMachine(shared, f);
  const q35 = pick('q35');
  const i440fx = pick('i440fx');
  const deprecated = [q35, i440fx].flatMap((machine) => {
    if (!machine) return [];
    const on = hosts.filter((h) => h.deprecatedMachines?.includes(machine)).map(tag);
    return on.length ? [{ machine, deprecatedOn: on }] : [];
  });
  const part = (f: MachineFamily, m: string | undefined) =>
    m ? `${m}: the newest ${f} machine type every host's QEMU offers` : `no ${f} machine type is offered by every host`;
  const flagged = deprecated.map((d) => `${d.machine} is deprecated by ${d.deprecatedOn.join(', ')}`);
  return {
    ...(q35 && { q35 }),
    ...(i440fx && { i440fx }),
    note: [part('q35', q35), part('i440fx', i440fx), ...flagged].join('; '),
    deprecated,
  };
}
