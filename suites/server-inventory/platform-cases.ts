import type { CaseContext, CaseDef, HostExpect } from '../../src/suite-api/index.ts';
import {
  CMD,
  joinWhy,
  parseCpuinfo,
  parseDmidecode,
  parseDmiSysfs,
  type DmidecodeFacts,
  type DmiFacts,
} from '../../src/suite-api/parsers.ts';
import { readCommand } from './read.ts';

interface DmiRead {
  dmi: DmiFacts;
  dmidecode?: DmidecodeFacts;
  sources: string[];
  /** What each source gave when it gave nothing usable (its error, or not recorded, or needs root). */
  why: string[];
  /** A source that needs root was not read (a non-root login without `become`). */
  needsRoot: boolean;
}

/**
 * DMI from /sys/class/dmi/id, completed from dmidecode where sysfs lacks a field. Both declare their root needs in
 * the CMD table: sysfs reads more as root (serials), dmidecode needs it.
 */
async function readDmi(ctx: CaseContext): Promise<DmiRead> {
  const sources: string[] = [];
  const why: string[] = [];
  const sysfsRead = await readCommand(ctx, CMD.dmi, true);
  const sysfs = sysfsRead.text;
  const dmi: DmiFacts = sysfs ? parseDmiSysfs(sysfs) : {};
  if (sysfs && Object.keys(dmi).length) sources.push('/sys/class/dmi/id');
  else why.push(sysfsRead.why ?? '/sys/class/dmi/id holds no vendor, product or BIOS field');
  const rawRead = await readCommand(ctx, CMD.dmidecode);
  const raw = rawRead.text;
  const dmidecode = raw ? parseDmidecode(raw) : undefined;
  if (!dmidecode?.bios && !dmidecode?.system) why.push(rawRead.why ?? 'dmidecode found no BIOS or system table');
  if (dmidecode && (dmidecode.bios || dmidecode.system)) {
    sources.push('dmidecode');
    dmi.sysVendor ??= dmidecode.system?.manufacturer;
    dmi.productName ??= dmidecode.system?.productName;
    dmi.biosVendor ??= dmidecode.bios?.vendor;
    dmi.biosVersion ??= dmidecode.bios?.version;
    dmi.biosDate ??= dmidecode.bios?.date;
  }
  return { dmi, dmidecode, sources, why, needsRoot: Boolean(sysfsRead.needsRoot || rawRead.needsRoot) };
}

/**
 * Nothing to read: fail when the lab expects a value (it cannot be verified), skip otherwise; both say why. A
 * source left unread for want of root makes it a skip either way: the table may be there, only not for this login.
 */
function unreadable(ctx: CaseContext, what: string, expected: unknown, read: DmiRead): never {
  const why = `no ${what}: ${joinWhy(read.why)}`;
  if (expected !== undefined && !read.needsRoot)
    ctx.fail(`${why}; cannot verify the expected value`, expected, '(unreadable)');
  ctx.skip(why);
}

/** On a VM, DMI names the hypervisor's virtual platform, not a server. */
function dmiSeenThrough(ctx: CaseContext): Record<string, string> {
  const v = ctx.host.facts.virtualised;
  return v && v.kind !== 'none'
    ? { seenThrough: `a ${v.kind} virtual machine: this is the virtual platform the hypervisor presents` }
    : {};
}

export function platformCases(expect: HostExpect | undefined): CaseDef[] {
  return [
    {
      id: 'system',
      title: 'System vendor and product',
      tags: ['inventory', 'dmi'],
      readOnly: true,
      async run(ctx) {
        const read = await readDmi(ctx);
        const { dmi, dmidecode, sources } = read;
        if (!dmi.sysVendor && !dmi.productName) return unreadable(ctx, 'system vendor/product', expect?.product, read);
        ctx.fact('system', {
          vendor: dmi.sysVendor,
          product: dmi.productName,
          board: dmi.boardName,
          serial: dmidecode?.system?.serial,
          sources,
          ...dmiSeenThrough(ctx),
        });
        if (expect?.product !== undefined) ctx.check.equal('product', dmi.productName, expect.product);
      },
    },
    {
      id: 'bios',
      title: 'BIOS vendor, version and date',
      tags: ['inventory', 'dmi', 'firmware'],
      readOnly: true,
      async run(ctx) {
        const read = await readDmi(ctx);
        const { dmi, sources } = read;
        if (!dmi.biosVendor && !dmi.biosVersion) return unreadable(ctx, 'BIOS information', expect?.bios, read);
        ctx.fact('bios', {
          vendor: dmi.biosVendor,
          version: dmi.biosVersion,
          date: dmi.biosDate,
          sources,
          ...dmiSeenThrough(ctx),
        });
        if (expect?.bios?.vendor !== undefined) ctx.check.equal('BIOS vendor', dmi.biosVendor, expect.bios.vendor);
        if (expect?.bios?.version !== undefined) ctx.check.equal('BIOS version', dmi.biosVersion, expect.bios.version);
      },
    },
    {
      id: 'microcode',
      title: 'CPU microcode revision',
      tags: ['inventory', 'cpu', 'firmware'],
      readOnly: true,
      async run(ctx) {
        const cpuinfo = await readCommand(ctx, CMD.cpuinfo);
        const fromCpuinfo = parseCpuinfo(cpuinfo.text ?? '').microcode;
        const sysfs = fromCpuinfo ? undefined : await readCommand(ctx, CMD.microcode);
        const microcode = fromCpuinfo ?? sysfs?.text?.trim();
        if (!microcode) {
          const why = [
            cpuinfo.why ?? 'no "microcode" line in /proc/cpuinfo',
            sysfs?.why ?? 'cpu0/microcode/version is empty',
          ];
          return ctx.skip(`no microcode revision (a VM or Arm reports none): ${joinWhy(why)}`);
        }
        ctx.fact('microcode', microcode);
        if (/^0x[0-9a-f]+$/i.test(microcode)) ctx.metric('microcode', Number.parseInt(microcode, 16));
      },
    },
  ];
}
