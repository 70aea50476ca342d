import type { CaseDef } from '../../src/suite-api/index.ts';
import {
  CMD,
  cmdlineHas,
  countIommuGroups,
  paramEnabled,
  parseCmdline,
  parseKvmDevice,
  parseKvmParams,
  parseLibvirtVersion,
  parseMeminfo,
  parseQemuVersion,
  satisfies,
} from '../../src/suite-api/parsers.ts';
import { probe } from './read.ts';
import type { HostOsRequire } from './require.ts';

export function virtCases(req: HostOsRequire): CaseDef[] {
  return [
    {
      id: 'kvm-device',
      title: '/dev/kvm is present',
      tags: ['kvm'],
      severity: 'blocker',
      readOnly: true,
      async run(ctx) {
        if (req.kvm === false) ctx.skip('the plan says require.kvm: false');
        const ls = await probe(ctx, CMD.kvmDevice);
        const present = ls !== undefined && parseKvmDevice(ls);
        ctx.fact('kvmDevice', present);
        ctx.expect.ok('/dev/kvm is a character device', present, {
          expected: 'present',
          actual: ls?.trim() || '(absent)',
        });
      },
    },
    {
      id: 'kvm-module',
      title: 'kvm_intel / kvm_amd loaded (nested, ept/npt reported)',
      tags: ['kvm'],
      severity: 'blocker',
      readOnly: true,
      requires: [{ arch: 'x86_64' }],
      async run(ctx) {
        if (req.kvm === false) ctx.skip('the plan says require.kvm: false');
        const intel = parseKvmParams('kvm_intel', (await probe(ctx, CMD.kvmIntelParams, true)) ?? '');
        const amd = parseKvmParams('kvm_amd', (await probe(ctx, CMD.kvmAmdParams, true)) ?? '');
        const mod = intel ?? amd;
        if (!mod)
          return ctx.fail('neither kvm_intel nor kvm_amd is loaded', 'kvm_intel or kvm_amd', '(neither loaded)');
        const pagingName = mod.module === 'kvm_intel' ? 'ept' : 'npt';
        const paging = mod.module === 'kvm_intel' ? mod.ept : mod.npt;
        ctx.fact('kvm', { module: mod.module, nested: mod.nested, [pagingName]: paging });
        ctx.log(`${mod.module}: nested=${mod.nested ?? '?'} ${pagingName}=${paging ?? '?'}`);
        if (req.nested)
          ctx.check.ok('nested virtualisation on', paramEnabled(mod.nested), {
            expected: 'Y/1',
            actual: mod.nested ?? '(absent)',
          });
      },
    },
    {
      id: 'qemu-version',
      title: 'QEMU version',
      tags: ['qemu'],
      readOnly: true,
      async run(ctx) {
        let found: { version: string; command: string } | undefined;
        for (const command of [CMD.qemuX86, CMD.qemuArm, CMD.qemuKvm]) {
          const v = parseQemuVersion((await probe(ctx, command)) ?? '');
          if (v) {
            found = { version: v, command };
            break;
          }
        }
        if (!found) {
          if (req.qemu) return ctx.fail(`no QEMU found (plan requires ${req.qemu})`, req.qemu, '(absent)');
          return ctx.skip('no QEMU binary on this host and the plan requires no version');
        }
        ctx.fact('qemu', { version: found.version, binary: found.command.split(' ')[0] });
        if (req.qemu)
          ctx.expect.ok(`QEMU ${req.qemu}`, satisfies(found.version, req.qemu), {
            expected: req.qemu,
            actual: found.version,
          });
      },
    },
    {
      id: 'libvirt-version',
      title: 'libvirt version',
      tags: ['libvirt'],
      readOnly: true,
      async run(ctx) {
        const version =
          parseLibvirtVersion((await probe(ctx, CMD.libvirtd)) ?? '') ??
          parseLibvirtVersion((await probe(ctx, CMD.virshVersion)) ?? '');
        if (!version) return ctx.skip('libvirt is not installed (no libvirtd, no virsh)');
        ctx.fact('libvirt', { version });
        if (req.libvirt)
          ctx.expect.ok(`libvirt ${req.libvirt}`, satisfies(version, req.libvirt), {
            expected: req.libvirt,
            actual: version,
          });
      },
    },
    {
      id: 'iommu',
      title: 'IOMMU enabled (IOMMU groups exist)',
      tags: ['iommu'],
      readOnly: true,
      async run(ctx) {
        if (req.iommu === false) ctx.skip('the plan says require.iommu: false');
        const ls = await probe(ctx, CMD.iommuGroups);
        const groups = ls === undefined ? 0 : countIommuGroups(ls);
        ctx.metric('iommu_groups', groups);
        const cmdline = parseCmdline((await probe(ctx, CMD.cmdline)) ?? '');
        const switches = [
          'intel_iommu=on',
          'amd_iommu=on',
          'iommu=pt',
          'iommu=off',
          'intel_iommu=off',
          'amd_iommu=off',
        ].filter((p) => cmdlineHas(cmdline, p));
        ctx.fact('iommu', { groups, cmdline: switches });
        ctx.expect.atLeast('IOMMU groups', groups, 1);
      },
    },
    {
      id: 'hugepages',
      title: 'Hugepages',
      tags: ['memory'],
      readOnly: true,
      async run(ctx) {
        const m = parseMeminfo(await ctx.run(CMD.meminfo, { readOnly: true }));
        ctx.metric('hugepages_total', m.hugepagesTotal ?? 0);
        ctx.metric('hugepages_free', m.hugepagesFree ?? 0);
        if (m.hugepageSizeKiB !== undefined) ctx.metric('hugepage_size_kib', m.hugepageSizeKiB);
        const want = req.hugepages;
        if (want?.min !== undefined) ctx.check.atLeast('hugepages total', m.hugepagesTotal ?? 0, want.min);
        if (want?.sizeKiB !== undefined)
          ctx.check.equal('default hugepage size (KiB)', m.hugepageSizeKiB, want.sizeKiB);
      },
    },
  ];
}
