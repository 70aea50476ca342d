/** What the libvirt path of a hop ran and saw (plain data, in the hop's report). */
export interface LibvirtHopRecord {
  domain: string;
  /** `virsh migrate …` as run on the source (the --xml file is the destination's domain XML). */
  command: string[];
  novaFlags: string[];
  strategyFlags: string[];
  uri: string;
  migrateUri: string;
  /** The CPU model as the domain names it, and the QEMU model it stands for. */
  cpuModel?: { libvirt: string; qemu?: string };
  /** The machine type the domain runs (its live XML). */
  machine?: string;
  /** virsh migrate's exit and its last words when it failed (aborted, destination gone…). */
  exit: number | null;
  error?: string;
  /** Guest RAM libvirt gave (KiB) and what that did to the TCG padding. */
  memory?: { askedKiB: number; gotKiB?: number; note?: string };
  /** Where the completed job's figures came from: the destination's incoming job, or the source's failed one. */
  figuresFrom?: string;
}
