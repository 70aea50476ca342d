import { HwqualError } from '../../model/errors.ts';
import { cpuinfoBlocks } from '../../probe/cpuinfo.ts';
import { lscpuTextFields } from '../../probe/lscpu.ts';
import { PROFILE_FORMAT, type CommandEntry, type HostProfileData, type ProfileMeta } from '../profile.ts';
import { hwqualVersion } from '../recording.ts';
import { DUMP_KINDS, type DumpKind } from './dump-inputs.ts';
import { readCputestdata, readReplies, type QmpAnswer } from './qmp-inputs.ts';

/**
 * A replay profile from public dumps (what `hwqual profile import` writes, and fixtures/hosts/assemble.ts with it):
 * each dump answers exactly the command it is the output of, with `origin: assembled-from-public-dumps` and the
 * source of each file. A command no dump answers is absent, so replay answers it with E_NOT_RECORDED. Pure.
 */
export type QmpKind = 'qmpCputestdata' | 'qmpReplies';
export type InputKind = DumpKind | QmpKind;

export interface ImportInput {
  kind: InputKind;
  /** The file as the user named it (what the profile's sources say). */
  file: string;
  text: string;
  /** Where the dump comes from (repository, path, commit…), added to its source line. */
  what?: string;
}

export interface ImportSpec {
  name: string;
  /** One line about the machine; the profile adds how it was made. */
  description?: string;
  /** Labels in the order given; arch, vendor and kind are added from the dumps where not given. */
  labels?: Record<string, string>;
  /** When it was assembled (ISO); fixed by assemble.ts so that re-running gives the same files. */
  assembledAt: string;
  inputs: ImportInput[];
}

const VENDOR_LABEL: Record<string, string> = { GenuineIntel: 'intel', AuthenticAMD: 'amd', HygonGenuine: 'hygon' };

/** arch and vendor as the dumps state them (labels only: they pick pools and plans, they are not facts). */
function derivedLabels(spec: ImportSpec): Record<string, string> {
  const out: Record<string, string> = {};
  const cpuinfo = spec.inputs.find((i) => i.kind === 'cpuinfo');
  const block = cpuinfo ? cpuinfoBlocks(cpuinfo.text)[0] : undefined;
  const lscpu = spec.inputs.find((i) => i.kind === 'lscpu');
  const fields = lscpu ? lscpuTextFields(lscpu.text) : undefined;
  const vendorId = block?.get('vendor_id') ?? fields?.get('Vendor ID');
  if (vendorId && VENDOR_LABEL[vendorId]) out.vendor = VENDOR_LABEL[vendorId];
  if (block?.has('CPU implementer')) out.arch = 'aarch64';
  else if (fields?.get('Architecture')) out.arch = fields.get('Architecture')!;
  else if (vendorId) out.arch = 'x86_64';
  const onlyQmp = spec.inputs.every((i) => i.kind === 'qmpCputestdata' || i.kind === 'qmpReplies');
  out.kind = onlyQmp ? 'qmp' : 'cpu-dump';
  return out;
}

export function importProfile(spec: ImportSpec): HostProfileData & { qmpFiles: Record<string, string> } {
  if (!spec.inputs.length) throw new HwqualError('E_USAGE', 'profile import: give at least one dump');
  const qmpInputs = spec.inputs.filter((i) => i.kind === 'qmpCputestdata' || i.kind === 'qmpReplies');
  if (qmpInputs.length > 1)
    throw new HwqualError('E_USAGE', 'profile import: one QMP dump per profile (--qmp-cputestdata or --qmp-replies)');
  const commands: CommandEntry[] = [];
  const synthetic: Record<string, string> = {};
  const sources: ProfileMeta['sources'] = [];
  let qmp: QmpAnswer | undefined;
  for (const input of spec.inputs) {
    const what = input.what ? `${input.file} — ${input.what}` : input.file;
    if (input.kind === 'qmpCputestdata' || input.kind === 'qmpReplies') {
      const base = input.file.split('/').pop()!;
      qmp =
        input.kind === 'qmpCputestdata'
          ? readCputestdata(input.text, input.file)
          : readReplies(input.text, input.file, base);
      sources.push({ what, feeds: [qmp.file] });
      continue;
    }
    const answer = DUMP_KINDS[input.kind].read(input.text, input.file);
    if (commands.some((c) => c.command === answer.command))
      throw new HwqualError('E_USAGE', `profile import: two dumps answer \`${answer.command}\` (${input.file})`);
    commands.push({
      command: answer.command,
      stdout: answer.stdout,
      stderr: '',
      exitCode: 0,
      recordedAt: spec.assembledAt,
      host: spec.name,
      source: input.file,
    });
    if (answer.how) synthetic[answer.command] = `${input.file}: ${answer.how}`;
    sources.push({ what, feeds: [answer.command] });
  }
  const labels = { ...spec.labels };
  for (const [k, v] of Object.entries(derivedLabels(spec))) labels[k] ??= v;
  const meta: ProfileMeta = {
    format: PROFILE_FORMAT,
    name: spec.name,
    origin: 'assembled-from-public-dumps',
    description:
      `${spec.description ? `${spec.description}. ` : ''}Assembled from public dumps of a real machine ` +
      `by \`hwqual profile import\`, not recorded by hwqual: only the commands below answer; anything else is ` +
      `E_NOT_RECORDED.`,
    recordedAt: spec.assembledAt,
    sources,
    hwqualVersion: hwqualVersion(),
    labels,
    ...(qmp && { qmp: qmp.sockets }),
    ...(Object.keys(synthetic).length && { syntheticCommands: synthetic }),
  };
  return { meta, commands, files: [], qmpFiles: qmp ? { [qmp.file]: qmp.text } : {} };
}
