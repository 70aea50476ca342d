import { readCommand, type CaseDef } from '../../src/suite-api/index.ts';
import { CMD, parseCryptsetupVersion, parseOpensshVersion, satisfies } from '../../src/suite-api/parsers.ts';
import type { HostOsRequire } from './require.ts';

/** Tools that change with the host OS (a new Debian brings a new OpenSSH and cryptsetup): their versions, checked. */
export function toolCases(req: HostOsRequire): CaseDef[] {
  return [
    versionCase({
      id: 'openssh-version',
      title: 'OpenSSH version',
      tool: 'OpenSSH',
      tags: ['ssh'],
      command: CMD.sshVersion,
      parse: parseOpensshVersion,
      fact: 'openssh',
      range: req.openssh,
    }),
    versionCase({
      id: 'cryptsetup-version',
      title: 'cryptsetup version',
      tool: 'cryptsetup',
      tags: ['security'],
      command: CMD.cryptsetupVersion,
      parse: parseCryptsetupVersion,
      fact: 'cryptsetup',
      range: req.cryptsetup,
    }),
  ];
}

interface VersionCase {
  id: string;
  title: string;
  tool: string;
  tags: string[];
  command: string;
  parse: (text: string) => string | undefined;
  fact: string;
  /** The plan's `require.<fact>` range. */
  range?: string;
}

/**
 * The tool's version as a fact, checked against the plan's range. Absent tool: skipped, or failed when the plan
 * requires a version; a replayed profile without the command: skipped, naming it (missing data is not a finding).
 */
function versionCase(o: VersionCase): CaseDef {
  return {
    id: o.id,
    title: o.title,
    tags: o.tags,
    readOnly: true,
    async run(ctx) {
      const r = await readCommand(ctx, o.command);
      const version = r.text === undefined ? undefined : o.parse(r.text);
      if (!version) {
        const why = r.why ?? `\`${o.command}\` printed no ${o.tool} version: ${r.text?.trim().split('\n')[0] ?? ''}`;
        // The runner names the commands a replayed profile lacks in the skip message.
        if (r.unrecorded) return ctx.skip(`${o.tool}'s version is not known`);
        if (!o.range) return ctx.skip(`${o.tool} is not installed (${why})`);
        return ctx.fail(`no ${o.tool} found (plan requires ${o.range}): ${why}`, o.range, '(absent)');
      }
      ctx.fact(o.fact, { version });
      ctx.log(`${o.tool} ${version}`);
      if (o.range)
        ctx.expect.ok(`${o.tool} ${o.range}`, satisfies(version, o.range), { expected: o.range, actual: version });
    },
  };
}
