import { HwqualError } from '../../model/errors.ts';
import { CMD, type CommandName } from '../../probe/commands.ts';
import { cpuinfoBlocks } from '../../probe/cpuinfo.ts';
import { parseDmidecodeRecords } from '../../probe/dmi.ts';
import { lscpuJsonFields, lscpuTextFields } from '../../probe/lscpu.ts';
import { parseOsReleaseFields } from '../../probe/os-release.ts';

/**
 * Public dumps of command output, each checked to be what it claims and stored as the answer of the one command
 * hwqual runs for it. The text is kept byte for byte; where a dump is not exactly that command's output (a section
 * of util-linux's expected-output file, vulnerability files listed as `name: text`), the profile says how it was
 * made (`syntheticCommands`). Nothing is derived from one dump into another command.
 */
export type DumpKind =
  | 'cpuinfo'
  | 'lscpu'
  | 'lscpuJson'
  | 'dmidecode'
  | 'osRelease'
  | 'vulnerabilities'
  | 'domcapabilities';

export interface DumpAnswer {
  command: string;
  stdout: string;
  /** Set when the stored answer is not the dump's text byte for byte: how it was made from it. */
  how?: string;
}

/** Bad input: the file and what is wrong with it (exit 2 at the CLI). */
export function badDump(file: string, what: string): HwqualError {
  return new HwqualError('E_CONFIG', `${file}: ${what}`);
}

const sections = (text: string) => text.split(/\n\s*\n/).filter((s) => s.trim());

/** The dump kinds: the CLI option, the command it answers, and the check + conversion of its text. */
export const DUMP_KINDS: Record<
  DumpKind,
  { option: string; command: CommandName; read(text: string, file: string): DumpAnswer }
> = {
  cpuinfo: {
    option: '--cpuinfo',
    command: 'cpuinfo',
    read(text, file) {
      const blocks = cpuinfoBlocks(text);
      if (!blocks.some((b) => b.has('vendor_id') || b.has('CPU implementer')))
        throw badDump(file, 'not a /proc/cpuinfo: no processor block with vendor_id (x86) or CPU implementer (Arm)');
      return { command: CMD.cpuinfo, stdout: text };
    },
  },
  lscpu: {
    option: '--lscpu',
    command: 'lscpu',
    read(text, file) {
      const all = sections(text);
      const fields = lscpuTextFields(all[0] ?? '');
      if (!fields.has('Architecture') && !fields.has('CPU(s)'))
        throw badDump(file, 'not lscpu output: no "Architecture:" or "CPU(s):" line');
      if (all.length === 1) return { command: CMD.lscpu, stdout: text };
      return {
        command: CMD.lscpu,
        stdout: `${all[0]}\n`,
        how:
          `the first of its ${all.length} blank-line separated sections (plain \`lscpu\`; util-linux's ` +
          `expected-output files add \`lscpu -p\` and others after it)`,
      };
    },
  },
  lscpuJson: {
    option: '--lscpu-json',
    command: 'lscpuJson',
    read(text, file) {
      let fields: Map<string, string>;
      try {
        fields = lscpuJsonFields(text);
      } catch (err) {
        throw badDump(file, `not valid JSON (truncated?): ${(err as Error).message}`);
      }
      if (!fields.size) throw badDump(file, 'not `lscpu -J` output: no "lscpu" list of fields');
      return { command: CMD.lscpuJson, stdout: text };
    },
  },
  dmidecode: {
    option: '--dmidecode',
    command: 'dmidecode',
    read(text, file) {
      const records = parseDmidecodeRecords(text);
      if (!records.length) throw badDump(file, 'not dmidecode output: no "Handle 0x…, DMI type N" record');
      const other = [...new Set(records.map((r) => r.type).filter((t) => ![0, 1, 4, 17].includes(t)))];
      return {
        command: CMD.dmidecode,
        stdout: text,
        ...(other.length && {
          how:
            `the whole dump as published, standing for \`${CMD.dmidecode}\`: it also holds DMI types ` +
            `${other.join(', ')}, which that command would not print`,
        }),
      };
    },
  },
  osRelease: {
    option: '--os-release',
    command: 'osRelease',
    read(text, file) {
      const f = parseOsReleaseFields(text);
      if (!f.ID && !f.NAME) throw badDump(file, 'not an os-release file: no ID= or NAME= line');
      return { command: CMD.osRelease, stdout: text };
    },
  },
  vulnerabilities: {
    option: '--vulnerabilities',
    command: 'vulnerabilities',
    read(text, file) {
      const dir = '/sys/devices/system/cpu/vulnerabilities';
      const lines = text.split('\n').filter((l) => l.trim());
      if (lines.length && lines.every((l) => l.startsWith(`${dir}/`) && l.includes(':')))
        return { command: CMD.vulnerabilities, stdout: text };
      const named = lines.map((l) => /^([a-z0-9_]+):\s?(.*)$/.exec(l));
      if (!lines.length || named.some((m) => !m))
        throw badDump(file, `not a vulnerability listing: expected "${dir}/<name>:<text>" or "<name>: <text>" lines`);
      return {
        command: CMD.vulnerabilities,
        stdout: `${named.map((m) => `${dir}/${m![1]}:${m![2]}`).join('\n')}\n`,
        how: "the files' verbatim contents, laid out as `grep -r . DIR` prints them (path:content per line)",
      };
    },
  },
  domcapabilities: {
    option: '--domcapabilities',
    command: 'virshDomcapabilities',
    read(text, file) {
      if (!/<domainCapabilities[\s>]/.test(text) || !/<\/domainCapabilities>\s*$/.test(text))
        throw badDump(file, 'not `virsh domcapabilities` XML: no complete <domainCapabilities> element');
      return { command: CMD.virshDomcapabilities, stdout: text };
    },
  },
};
