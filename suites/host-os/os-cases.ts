import type { CaseContext, CaseDef } from '../../src/suite-api/index.ts';
import { CMD, cmdlineHas, parseCmdline, parseOsRelease, satisfies } from '../../src/suite-api/parsers.ts';
import { probe } from './read.ts';
import type { HostOsRequire } from './require.ts';

export function osCases(req: HostOsRequire): CaseDef[] {
  return [
    {
      id: 'os-release',
      title: 'Operating system (/etc/os-release)',
      tags: ['os'],
      readOnly: true,
      async run(ctx) {
        const text = await probe(ctx, CMD.osRelease);
        if (text === undefined)
          return ctx.fail('/etc/os-release is missing or unreadable', 'an os-release file', '(absent)');
        const os = parseOsRelease(text);
        ctx.fact('os', os);
        ctx.log(`OS: ${os.prettyName ?? os.id ?? 'unknown'}`);
        ctx.expect.ok('os-release names the OS', Boolean(os.id), { expected: 'ID=…', actual: os.id });
        if (req.os?.id) ctx.check.equal('os id', os.id, req.os.id);
        if (req.os?.versionId) ctx.check.equal('os version', os.versionId, req.os.versionId);
      },
    },
    {
      id: 'kernel-release',
      title: 'Kernel release',
      tags: ['os', 'kernel'],
      readOnly: true,
      async run(ctx) {
        const release = (await ctx.run(CMD.kernelRelease, { readOnly: true })).trim();
        ctx.fact('kernelRelease', release);
        if (req.kernel)
          ctx.expect.ok(`kernel ${req.kernel}`, satisfies(release, req.kernel), {
            expected: req.kernel,
            actual: release,
          });
      },
    },
    {
      id: 'kernel-cmdline',
      title: 'Kernel command line has the required parameters',
      tags: ['os', 'kernel'],
      readOnly: true,
      async run(ctx) {
        const cmdline = (await ctx.run(CMD.cmdline, { readOnly: true })).trim();
        ctx.fact('kernelCmdline', cmdline);
        const tokens = parseCmdline(cmdline);
        for (const wanted of req.kernelCmdline) checkParam(ctx, tokens, wanted);
      },
    },
  ];
}

function checkParam(ctx: CaseContext, tokens: string[], wanted: string): void {
  const key = wanted.split('=')[0];
  const present = tokens.filter((t) => t === key || t.startsWith(`${key}=`));
  ctx.check.ok(`cmdline ${wanted}`, cmdlineHas(tokens, wanted), {
    expected: wanted,
    actual: present.join(' ') || '(absent)',
  });
}
