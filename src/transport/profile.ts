import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { HwqualError } from '../model/errors.ts';

/**
 * A host profile: what a host answered, stored in a folder so that a run can replay it.
 *
 *   profile.json   ProfileMeta — name, origin (recorded | assembled-from-public-dumps), when, from which host, sources
 *   commands.json  CommandEntry[] in the order they were recorded. A command recorded several times keeps every
 *                  answer: replay gives them in order, then repeats the last.
 *   files.json     FileEntry[] — files read through Transport.readFile (content, or missing with the error)
 *   qmp/*.replies  QMP conversations in libvirt's `.replies` layout (see replay-qmp-log.ts), mapped to sockets by
 *                  ProfileMeta.qmp
 */
export const PROFILE_FORMAT = 1;
export type ProfileOrigin = 'recorded' | 'assembled-from-public-dumps';

export interface ProfileSource {
  /** What the file is and where it came from (repository, path, commit, or the live host). */
  what: string;
  /** The file in the profile (or the command) it fed. */
  feeds?: string[];
}

export interface QmpSocketEntry {
  /** Socket path as the client passes it to forwardUnixSocket; `*` = any socket not listed otherwise. */
  socket: string;
  /** Path of the `.replies` file, relative to the profile folder. */
  file: string;
  /** Play this session (1-based) on every connection; default: connection n plays session n, then the last. */
  session?: number;
  note?: string;
}

export interface ProfileMeta {
  format: number;
  name: string;
  origin: ProfileOrigin;
  description?: string;
  /** When it was recorded or assembled (ISO). */
  recordedAt: string;
  /** The live host it was recorded from (recorded profiles). */
  recordedFrom?: { host: string; address: string; transport: string };
  sources: ProfileSource[];
  hwqualVersion: string;
  labels?: Record<string, string>;
  qmp?: QmpSocketEntry[];
  /** Commands that no one typed on the source host, each with why it is there (assembled profiles). */
  syntheticCommands?: Record<string, string>;
}

export interface CommandEntry {
  command: string;
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal?: string | null;
  timedOut?: boolean;
  cancelled?: boolean;
  durationMs?: number;
  recordedAt: string;
  host: string;
  /** Assembled profiles: the public dump that stands for this command's output. */
  source?: string;
}

export interface FileEntry {
  path: string;
  content?: string;
  encoding?: 'utf8' | 'base64';
  /** The read failed (e.g. the file does not exist): replay fails the same way. */
  error?: { code: string; message: string; errno?: string };
  recordedAt: string;
  host: string;
  source?: string;
}

export interface HostProfileData {
  meta: ProfileMeta;
  commands: CommandEntry[];
  files: FileEntry[];
  /** `.replies` texts by their path relative to the folder (written by saveProfile). */
  qmpFiles?: Record<string, string>;
}

export interface HostProfile extends HostProfileData {
  /** Absolute folder. */
  dir: string;
}

const ORIGINS: readonly string[] = ['recorded', 'assembled-from-public-dumps'];

export async function loadProfile(dir: string): Promise<HostProfile> {
  const abs = resolve(dir);
  const meta = await readJson<ProfileMeta>(join(abs, 'profile.json'));
  const bad = (what: string) => new HwqualError('E_CONFIG', `${join(abs, 'profile.json')}: ${what}`);
  if (meta.format !== PROFILE_FORMAT) throw bad(`format ${String(meta.format)} is not ${PROFILE_FORMAT}`);
  if (typeof meta.name !== 'string' || !meta.name) throw bad('name is missing');
  if (!ORIGINS.includes(meta.origin)) throw bad(`origin must be one of ${ORIGINS.join(', ')}`);
  if (!Array.isArray(meta.sources)) throw bad('sources must be a list');
  const commands = await readJson<CommandEntry[]>(join(abs, 'commands.json'), []);
  const files = await readJson<FileEntry[]>(join(abs, 'files.json'), []);
  return { dir: abs, meta, commands, files };
}

/** Write a profile folder; each file is written to a temporary name first and renamed (atomic per file). */
export async function saveProfile(dir: string, data: HostProfileData): Promise<void> {
  const abs = resolve(dir);
  await mkdir(abs, { recursive: true });
  await atomicWrite(join(abs, 'profile.json'), `${JSON.stringify(data.meta, null, 2)}\n`);
  await atomicWrite(join(abs, 'commands.json'), `${JSON.stringify(data.commands, null, 2)}\n`);
  await atomicWrite(join(abs, 'files.json'), `${JSON.stringify(data.files, null, 2)}\n`);
  for (const [rel, text] of Object.entries(data.qmpFiles ?? {})) {
    const p = join(abs, rel);
    await mkdir(dirname(p), { recursive: true });
    await atomicWrite(p, text);
  }
}

async function atomicWrite(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

async function readJson<T>(path: string, fallback?: T): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (fallback !== undefined && (err as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw new HwqualError('E_CONFIG', `cannot read host profile file ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new HwqualError('E_CONFIG', `${path}: not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}
