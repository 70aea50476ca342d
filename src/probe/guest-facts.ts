/** The facts block the tiny guest's init prints (HWQUAL-FACT key=value between HWQUAL-FACTS-BEGIN/END). */
export interface GuestFacts {
  image?: string;
  kernel?: string;
  arch?: string;
  cpuModel?: string;
  cpuVendor?: string;
  cpuFlags: string[];
  cpus?: number;
  memTotalKiB?: number;
  /** Block devices and their size in 512-byte sectors. */
  blockDevices: Array<{ name: string; sectors: number }>;
  modules: string[];
  cmdline?: string;
  /** Every key as printed, for facts this parser does not name. */
  raw: Record<string, string>;
}

/** Parse the last complete facts block in a console text; undefined when there is none. Pure. */
export function parseGuestFacts(consoleText: string): GuestFacts | undefined {
  const text = consoleText.replace(/\r/g, '');
  const end = text.lastIndexOf('HWQUAL-FACTS-END');
  if (end < 0) return undefined;
  const begin = text.lastIndexOf('HWQUAL-FACTS-BEGIN', end);
  if (begin < 0) return undefined;
  const raw: Record<string, string> = {};
  for (const line of text.slice(begin, end).split('\n')) {
    const m = /^HWQUAL-FACT ([A-Za-z0-9_.-]+)=(.*)$/.exec(line.trim());
    if (m) raw[m[1]] = m[2].trim();
  }
  const num = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined);
  const list = (v: string | undefined, sep: RegExp) => (v ? v.split(sep).filter(Boolean) : []);
  return {
    image: raw.image || undefined,
    kernel: raw.kernel || undefined,
    arch: raw.arch || undefined,
    cpuModel: raw.cpu_model || undefined,
    cpuVendor: raw.cpu_vendor || undefined,
    cpuFlags: list(raw.cpu_flags, /\s+/),
    cpus: num(raw.cpus),
    memTotalKiB: num(raw.mem_total_kib),
    blockDevices: list(raw.block_devices, /,/).map((b) => {
      const [name, sectors] = b.split(':');
      return { name, sectors: Number(sectors) || 0 };
    }),
    modules: list(raw.modules, /,/),
    cmdline: raw.cmdline || undefined,
    raw,
  };
}
