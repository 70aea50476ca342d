import type { CaseDef, HostExpect } from '../../src/suite-api/index.ts';
import { CMD, parseDmidecode, parseIpLink, parseLsblk, parseMeminfo } from '../../src/suite-api/parsers.ts';
import { readCommand } from './read.ts';

const GiB_IN_KiB = 1024 * 1024;

export function resourceCases(expect: HostExpect | undefined): CaseDef[] {
  return [
    {
      id: 'memory',
      title: 'Memory size',
      tags: ['inventory', 'memory'],
      readOnly: true,
      async run(ctx) {
        const m = parseMeminfo(await ctx.run(CMD.meminfo, { readOnly: true }));
        if (m.totalKiB === undefined) return ctx.fail('/proc/meminfo has no MemTotal');
        // MemTotal is what the kernel can use: a little below the installed DIMMs (firmware and kernel reservations).
        const gib = Math.round((m.totalKiB / GiB_IN_KiB) * 100) / 100;
        ctx.metric('memory_gib', gib);
        const { text: raw, needsRoot } = await readCommand(ctx, CMD.dmidecode);
        if (needsRoot) ctx.log(`DIMMs not listed: ${needsRoot.message}`);
        const dimms = raw ? parseDmidecode(raw) : undefined;
        if (dimms?.memory.length) {
          ctx.fact('dimms', dimms.memory);
          ctx.metric('memory_installed_gib', dimms.memoryTotalMiB / 1024);
          ctx.metric('dimms', dimms.memory.length);
        }
        if (expect?.memoryGiB?.min !== undefined) ctx.check.atLeast('memory GiB (MemTotal)', gib, expect.memoryGiB.min);
        if (expect?.memoryGiB?.max !== undefined) ctx.check.atMost('memory GiB (MemTotal)', gib, expect.memoryGiB.max);
      },
    },
    {
      id: 'disks',
      title: 'Disks',
      tags: ['inventory', 'storage'],
      readOnly: true,
      async run(ctx) {
        const { text: out, why } = await readCommand(ctx, CMD.lsblk);
        if (out === undefined) {
          if (expect?.disks?.min !== undefined)
            return ctx.fail(`no disk list: ${why}`, `>= ${expect.disks.min}`, '(unreadable)');
          return ctx.skip(`no disk list: ${why}`);
        }
        const disks = parseLsblk(out);
        ctx.fact('disks', disks);
        ctx.metric('disks', disks.length);
        if (expect?.disks?.min !== undefined) ctx.check.atLeast('disks', disks.length, expect.disks.min);
      },
    },
    {
      id: 'nics',
      title: 'Network interfaces',
      tags: ['inventory', 'network'],
      readOnly: true,
      async run(ctx) {
        const { text: out, why } = await readCommand(ctx, CMD.ipLink);
        if (out === undefined) {
          if (expect?.nics?.min !== undefined)
            return ctx.fail(`no interface list: ${why}`, `>= ${expect.nics.min}`, '(unreadable)');
          return ctx.skip(`no interface list: ${why}`);
        }
        const nics = parseIpLink(out).filter((l) => l.kind === 'physical');
        ctx.fact('nics', nics);
        ctx.metric('nics', nics.length);
        if (expect?.nics?.min !== undefined) ctx.check.atLeast('physical NICs', nics.length, expect.nics.min);
      },
    },
  ];
}
