import type { GuestFacts } from '../../src/suite-api/parsers.ts';

/** A disk the guest must see: its kernel name (vda, vdb…) and size in 512-byte sectors. */
export interface DiskExpect {
  name: string;
  sectors: number;
  what: string;
}

/** Expected disks the guest lacks or sees with another size ([] when all match). Pure. */
export function diskProblems(facts: GuestFacts, expected: readonly DiskExpect[]): string[] {
  return expected.flatMap((d) => {
    const seen = facts.blockDevices.find((b) => b.name === d.name);
    if (!seen)
      return [
        `${d.name} (${d.what}) is missing; ` +
          `the guest sees ${facts.blockDevices.map((b) => b.name).join(', ') || 'no disks'}`,
      ];
    if (seen.sectors !== d.sectors) return [`${d.name} (${d.what}) has ${seen.sectors} sectors, expected ${d.sectors}`];
    return [];
  });
}

/**
 * The guest's MemTotal against the memory QEMU gave it: the kernel keeps its own image, the initramfs and the
 * memory map out of MemTotal, so at least 70% and never more than 100% of it. Pure.
 */
export function memoryProblem(memTotalKiB: number | undefined, requestedMiB: number): string | undefined {
  if (memTotalKiB === undefined) return 'the guest did not report MemTotal';
  const requestedKiB = requestedMiB * 1024;
  const share = memTotalKiB / requestedKiB;
  if (share < 0.7 || share > 1)
    return (
      `MemTotal ${memTotalKiB} KiB is ${(share * 100).toFixed(0)}% of the ${requestedMiB} MiB given ` +
      '(expected 70–100%)'
    );
  return undefined;
}

/** The facts the tiny init prints, as a shell script for guests with a guest agent (same HWQUAL-FACT lines). */
export const FACTS_SCRIPT = [
  'fact() { echo "HWQUAL-FACT $1=$2"; }',
  'echo HWQUAL-FACTS-BEGIN',
  'fact kernel "$(uname -r)"',
  'fact arch "$(uname -m)"',
  "fact cpu_flags \"$(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')\"",
  'fact cpus "$(grep -c \'^processor\' /proc/cpuinfo)"',
  'fact mem_total_kib "$(awk \'/^MemTotal:/ {print $2}\' /proc/meminfo)"',
  'blocks=""; for b in /sys/block/*; do n=${b##*/}; case "$n" in loop*|ram*|sr*) continue;; esac; ' +
    'blocks="$blocks${blocks:+,}$n:$(cat "$b/size")"; done',
  'fact block_devices "$blocks"',
  'echo HWQUAL-FACTS-END',
].join('\n');
