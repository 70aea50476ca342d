export interface BlockDisk {
  name: string;
  type: string;
  sizeBytes?: number;
  model?: string;
  serial?: string;
  rotational?: boolean;
  transport?: string;
}

/** Disks that are not hardware: RAM disks, loop devices, compressed swap, device-mapper. */
const VIRTUAL = /^(loop|ram|zram|dm-|nbd|sr)/;

/**
 * `lsblk -J` (any columns; `-b` for byte sizes). Old util-linux writes every value as a string ("1", "0", "256G"),
 * new writes numbers and booleans; both are read. Only `type: disk` entries that are not virtual are returned.
 */
export function parseLsblk(json: string): BlockDisk[] {
  const doc = JSON.parse(json) as { blockdevices?: Record<string, unknown>[] };
  const out: BlockDisk[] = [];
  for (const d of doc.blockdevices ?? []) {
    const name = String(d.name ?? '');
    if (d.type !== 'disk' || VIRTUAL.test(name)) continue;
    const disk: BlockDisk = { name, type: 'disk' };
    const size = sizeBytes(d.size);
    if (size !== undefined) disk.sizeBytes = size;
    if (typeof d.model === 'string' && d.model.trim()) disk.model = d.model.trim();
    if (typeof d.serial === 'string' && d.serial.trim()) disk.serial = d.serial.trim();
    if (d.rota !== undefined && d.rota !== null) disk.rotational = d.rota === true || d.rota === '1' || d.rota === 1;
    if (typeof d.tran === 'string' && d.tran) disk.transport = d.tran;
    out.push(disk);
  }
  return out;
}

/** 512110190592, "512110190592" or "256G" (lsblk without -b uses binary suffixes) → bytes. */
export function sizeBytes(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)([BKMGTPE]?)$/i.exec(v.trim());
  if (!m) return undefined;
  const exp = 'BKMGTPE'.indexOf((m[2] || 'B').toUpperCase());
  return Math.round(Number(m[1]) * 1024 ** exp);
}
