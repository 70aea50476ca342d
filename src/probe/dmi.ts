import type { HostFacts } from '../model/facts.ts';
import { parsePathListing } from './text.ts';

export type DmiFacts = NonNullable<HostFacts['dmi']>;

/** Placeholder strings firmware writes where a value belongs. */
const PLACEHOLDER = new RegExp(
  '^(not specified|not provided|to be filled by o\\.e\\.m\\.?|default string|system product name|none|unknown|' +
    'n/a|0{4,}|)$',
  'i',
);

export function meaningful(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v && !PLACEHOLDER.test(v) ? v : undefined;
}

/** `grep -s . /sys/class/dmi/id/*` → DMI facts. */
export function parseDmiSysfs(text: string): DmiFacts {
  const f = parsePathListing(text);
  const r: DmiFacts = {};
  const set = (key: keyof DmiFacts, v: string | undefined) => {
    const m = meaningful(v);
    if (m) r[key] = m;
  };
  set('sysVendor', f.sys_vendor);
  set('productName', f.product_name);
  set('biosVendor', f.bios_vendor);
  set('biosVersion', f.bios_version);
  set('biosDate', f.bios_date);
  set('boardName', f.board_name);
  return r;
}

export interface DmiRecord {
  handle: string;
  type: number;
  title: string;
  fields: Record<string, string>;
  lists: Record<string, string[]>;
}

/**
 * dmidecode text → records. Indented `Key: value` fields; a `Key:` with no value starts a list (Flags,
 * Characteristics).
 */
export function parseDmidecodeRecords(text: string): DmiRecord[] {
  const records: DmiRecord[] = [];
  let cur: DmiRecord | undefined;
  let listKey: string | undefined;
  let fieldIndent = -1;
  for (const line of text.split(/\r?\n/)) {
    const h = /^Handle (0x[0-9A-Fa-f]+), DMI type (\d+)/.exec(line.trim());
    if (h) {
      cur = { handle: h[1], type: Number(h[2]), title: '', fields: {}, lists: {} };
      records.push(cur);
      listKey = undefined;
      fieldIndent = -1;
      continue;
    }
    if (!cur || !line.trim()) continue;
    const indent = line.length - line.trimStart().length;
    if (!cur.title) {
      cur.title = line.trim();
      continue;
    }
    if (fieldIndent < 0) fieldIndent = indent;
    if (indent > fieldIndent && listKey) {
      cur.lists[listKey].push(line.trim());
      continue;
    }
    const i = line.indexOf(':');
    if (i < 0) continue;
    const key = line.slice(0, i).trim();
    const value = line.slice(i + 1).trim();
    if (value) {
      cur.fields[key] = value;
      listKey = undefined;
    } else {
      cur.lists[key] = [];
      listKey = key;
    }
  }
  return records;
}

export interface DmidecodeFacts {
  bios?: { vendor?: string; version?: string; date?: string };
  system?: { manufacturer?: string; productName?: string; serial?: string; uuid?: string; family?: string };
  processors: {
    socket?: string;
    manufacturer?: string;
    version?: string;
    coreCount?: number;
    threadCount?: number;
    populated: boolean;
  }[];
  memory: {
    locator?: string;
    sizeMiB: number;
    type?: string;
    speed?: string;
    manufacturer?: string;
    partNumber?: string;
  }[];
  /** Sum of installed DIMMs. */
  memoryTotalMiB: number;
}

/** dmidecode -t 0,1,4,17 → BIOS, system, sockets and installed DIMMs. */
export function parseDmidecode(text: string): DmidecodeFacts {
  const recs = parseDmidecodeRecords(text);
  const byType = (t: number) => recs.filter((r) => r.type === t);
  const r: DmidecodeFacts = { processors: [], memory: [], memoryTotalMiB: 0 };
  const bios = byType(0)[0]?.fields;
  if (bios) r.bios = clean({ vendor: bios.Vendor, version: bios.Version, date: bios['Release Date'] });
  const sys = byType(1)[0]?.fields;
  if (sys) {
    r.system = clean({
      manufacturer: sys.Manufacturer,
      productName: sys['Product Name'],
      serial: sys['Serial Number'],
      uuid: sys.UUID,
      family: sys.Family,
    });
  }
  for (const p of byType(4)) {
    const f = p.fields;
    r.processors.push({
      ...clean({ socket: f['Socket Designation'], manufacturer: f.Manufacturer, version: f.Version }),
      ...(toCount(f['Core Count']) !== undefined ? { coreCount: toCount(f['Core Count']) } : {}),
      ...(toCount(f['Thread Count']) !== undefined ? { threadCount: toCount(f['Thread Count']) } : {}),
      populated: /Populated/i.test(f.Status ?? ''),
    });
  }
  for (const d of byType(17)) {
    const sizeMiB = sizeToMiB(d.fields.Size);
    if (!sizeMiB) continue; // "No Module Installed"
    r.memory.push({
      sizeMiB,
      ...clean({
        locator: d.fields.Locator,
        type: d.fields.Type,
        speed: d.fields.Speed,
        manufacturer: d.fields.Manufacturer,
        partNumber: d.fields['Part Number'],
      }),
    });
    r.memoryTotalMiB += sizeMiB;
  }
  return r;
}

/** "16384 MB", "32 GB", "1 TB" (dmidecode means binary units) → MiB. */
export function sizeToMiB(size: string | undefined): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(kB|MB|GB|TB)\b/i.exec(size?.trim() ?? '');
  if (!m) return undefined;
  const factor = { kb: 1 / 1024, mb: 1, gb: 1024, tb: 1024 * 1024 }[m[2].toLowerCase() as 'kb' | 'mb' | 'gb' | 'tb'];
  return Number(m[1]) * factor;
}

function toCount(v: string | undefined): number | undefined {
  return v && /^\d+$/.test(v) ? Number(v) : undefined;
}

function clean<T extends Record<string, string | undefined>>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) {
    const m = meaningful(v);
    if (m) (out as Record<string, string>)[k] = m;
  }
  return out;
}
