import type { Command } from 'commander';
import type { InputKind } from '../../transport/import/build.ts';
import { importToDir, type ImportRequest } from '../../transport/import/to-dir.ts';
import { badInputExit, UsageExit } from '../common.ts';
import { EXIT } from '../exit-codes.ts';

/** The dump options in the order their answers go into the profile. */
export const IMPORT_OPTIONS: ReadonlyArray<{ flag: string; kind: InputKind; help: string }> = [
  { flag: 'cpuinfo', kind: 'cpuinfo', help: 'a /proc/cpuinfo (answers `cat /proc/cpuinfo`)' },
  { flag: 'lscpu', kind: 'lscpu', help: 'plain `lscpu` output (the first section of a multi-section file)' },
  { flag: 'lscpu-json', kind: 'lscpuJson', help: '`lscpu -J` output' },
  { flag: 'vulnerabilities', kind: 'vulnerabilities', help: '`grep -r . …/vulnerabilities` or `name: text` lines' },
  { flag: 'dmidecode', kind: 'dmidecode', help: 'dmidecode output (answers `dmidecode -t 0,1,4,17`)' },
  { flag: 'os-release', kind: 'osRelease', help: 'an /etc/os-release' },
  { flag: 'domcapabilities', kind: 'domcapabilities', help: '`virsh domcapabilities` XML' },
  { flag: 'qmp-cputestdata', kind: 'qmpCputestdata', help: "libvirt tests/cputestdata JSON (QEMU's KVM replies)" },
  { flag: 'qmp-replies', kind: 'qmpReplies', help: 'a libvirt .replies QMP conversation (tests/qemucapabilitiesdata)' },
];

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

function pairs(values: string[] | undefined, what: string): Array<[string, string]> {
  return (values ?? []).map((v) => {
    const i = v.indexOf('=');
    if (i <= 0) throw new UsageExit(`${what}: expected KEY=VALUE, got "${v}"`);
    return [v.slice(0, i), v.slice(i + 1)];
  });
}
const collect = (v: string, prev: string[] = []) => [...prev, v];

/** The command line → an import request (bad input throws UsageExit: exit 2). */
export function importRequest(o: Record<string, unknown>): ImportRequest {
  const whats = new Map(pairs(o.what as string[] | undefined, '--what'));
  for (const k of whats.keys())
    if (!IMPORT_OPTIONS.some((x) => x.flag === k))
      throw new UsageExit(`--what ${k}=…: not a dump option (${IMPORT_OPTIONS.map((x) => x.flag).join(', ')})`);
  const inputs = IMPORT_OPTIONS.flatMap(({ flag, kind }) => {
    const file = o[camel(flag)] as string | undefined;
    if (file === undefined) {
      if (whats.has(flag)) throw new UsageExit(`--what ${flag}=…: no --${flag} file given`);
      return [];
    }
    return [{ kind, file, ...(whats.has(flag) && { what: whats.get(flag) }) }];
  });
  if (!inputs.length)
    throw new UsageExit(
      `profile import: give at least one dump (${IMPORT_OPTIONS.map((x) => `--${x.flag}`).join(', ')})`,
    );
  const at = (o.assembledAt as string | undefined) ?? new Date().toISOString();
  if (Number.isNaN(Date.parse(at))) throw new UsageExit(`--assembled-at: not a date: ${at}`);
  return {
    out: o.out as string,
    ...(o.name !== undefined && { name: o.name as string }),
    ...(o.description !== undefined && { description: o.description as string }),
    labels: Object.fromEntries(pairs(o.label as string[] | undefined, '--label')),
    assembledAt: at,
    force: o.force === true,
    ...(o.from !== undefined && { from: o.from as string }),
    inputs,
  };
}

export function register(program: Command): void {
  const profile = program.command('profile').description('host profiles for `hwqual run --replay`');
  const cmd = profile
    .command('import')
    .description(
      'build a replay profile from public dumps of a real machine (origin: assembled-from-public-dumps): each dump ' +
        'answers the one command it is the output of; anything else replays as not recorded',
    )
    .requiredOption('--out <dir>', 'the profile folder to write (refused if it exists, unless --force)')
    .option('--name <name>', "the profile's name (default: the folder's name)");
  for (const o of IMPORT_OPTIONS) cmd.option(`--${o.flag} <file>`, o.help);
  cmd
    .option(
      '--what <dump=text>',
      'where a dump comes from, for its source line (e.g. cpuinfo="repo path @ commit")',
      collect,
    )
    .option(
      '--label <key=value>',
      'a label of the replayed host (vendor, arch and kind are added from the dumps)',
      collect,
    )
    .option('--description <text>', 'one line about the machine')
    .option('--assembled-at <iso>', 'the date to record (default: now; fix it to rebuild identical files)')
    .option('--from <dir>', 'read the dump files relative to this folder (the sources name them as given)')
    .option('--force', 'replace an existing profile folder')
    .action(async (o: Record<string, unknown>) => {
      try {
        const r = await importToDir(importRequest(o));
        process.stdout.write(
          `wrote ${r.dir}: ${r.commands} command answer(s)${r.qmp ? ' and a QMP conversation' : ''}; replay it with ` +
            `\`hwqual run --replay ${o.out as string} …\`\n`,
        );
        process.exitCode = EXIT.ok;
      } catch (err) {
        process.exitCode = badInputExit(err);
      }
    });
}
