import { lines } from './text.ts';

/** `ls DIR` output → entries. */
export function parseLs(text: string): string[] {
  return lines(text)
    .flatMap((l) => l.split(/\s+/))
    .filter(Boolean);
}

/** `ls /sys/kernel/iommu_groups` → number of groups (0 = IOMMU off or absent). */
export function countIommuGroups(text: string): number {
  return parseLs(text).filter((e) => /^\d+$/.test(e)).length;
}

/** `ls /sys/devices/system/node` → number of NUMA nodes (node0, node1 …). */
export function countNumaNodes(text: string): number {
  return parseLs(text).filter((e) => /^node\d+$/.test(e)).length;
}
