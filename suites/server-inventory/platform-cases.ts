import type { CaseContext, CaseDef, HostExpect } from '../../src/suite-api/index.ts';
import {
  CMD,
  parseCpuinfo,
  parseDmidecode,
  parseDmiSysfs,
  type DmidecodeFacts,
  type DmiFacts,
} from '../../src/suite-api/parsers.ts';
import { probe } from './read.ts';

/** DMI from /sys/class/dmi/id, completed from dmidecode (root) where sysfs lacks a field. */
async function readDmi(ctx: CaseContext): Promise<{ dmi: DmiFacts; dmidecode?: DmidecodeFacts; sources: string[] }> {
  const sources: string[] = [];
  const sysfs = await probe(ctx, CMD.dmi, true);
  const dmi: DmiFacts = sysfs ? parseDmiSysfs(sysfs) : {};
  if (sysfs && Object.keys(dmi).length) sources.push('/sys/class/dmi/id');
  const raw = await probe(ctx, CMD.dmidecode);
  const dmidecode = raw ? parseDmidecode(raw) : undefined;
  if (dmidecode && (dmidecode.bios || dmidecode.system)) {
    sources.push('dmidecode');
    dmi.sysVendor ??= dmidecode.system?.manufacturer;
    dmi.productName ??= dmidecode.system?.productName;
    dmi.biosVendor ??= dmidecode.bios?.vendor;
    dmi.biosVersion ??= dmidecode.bios?.version;
    dmi.biosDate ??= dmidecode.bios?.date;
  }
  return { dmi, dmidecode, sources };
}

/** Nothing to read: fail when the lab expects a value (it cannot be verified), skip otherwise. */
function unreadable(ctx: CaseContext, what: string, expected: unknown): never {
  const why = `no ${what} on this host (no /sys/class/dmi/id, dmidecode found no table)`;
  if (expected !== undefined) ctx.fail(`${why}; cannot verify the expected value`, expected, '(unreadable)');
  ctx.skip(why);
}

export function platformCases(expect: HostExpect | undefined): CaseDef[] {
  return [
    {
      id: 'system',
      title: 'System vendor and product',
      tags: ['inventory', 'dmi'],
      readOnly: true,
      async run(ctx) {
        const { dmi, dmidecode, sources } = await readDmi(ctx);
        if (!dmi.sysVendor && !dmi.productName) return unreadable(ctx, 'system vendor/product', expect?.product);
        ctx.fact('system', {
          vendor: dmi.sysVendor,
          product: dmi.productName,
          board: dmi.boardName,
          serial: dmidecode?.system?.serial,
          sources,
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
        const { dmi, sources } = await readDmi(ctx);
        if (!dmi.biosVendor && !dmi.biosVersion) return unreadable(ctx, 'BIOS information', expect?.bios);
        ctx.fact('bios', { vendor: dmi.biosVendor, version: dmi.biosVersion, date: dmi.biosDate, sources });
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
        const fromCpuinfo = parseCpuinfo((await probe(ctx, CMD.cpuinfo)) ?? '').microcode;
        const microcode = fromCpuinfo ?? (await probe(ctx, CMD.microcode))?.trim();
        if (!microcode)
          return ctx.skip(
            'the kernel reports no microcode revision (no "microcode" in /proc/cpuinfo, no sysfs microcode/version; ' +
              'e.g. a VM or Arm)',
          );
        ctx.fact('microcode', microcode);
        if (/^0x[0-9a-f]+$/i.test(microcode)) ctx.metric('microcode', Number.parseInt(microcode, 16));
      },
    },
  ];
}
