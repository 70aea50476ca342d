import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Duplex } from 'node:stream';
import { HwqualError, type ErrorCode } from '../model/errors.ts';
import type { ExecOptions, ExecResult } from '../model/exec.ts';
import { CommandError, commandErrorCode } from './command-error.ts';
import {
  loadProfile,
  type CommandEntry,
  type FileEntry,
  type HostProfile,
  type ProfileOrigin,
  type QmpSocketEntry,
} from './profile.ts';
import { QmpReplayStream } from './qmp-replay.ts';
import { parseQmpLog, type QmpSession } from './replay-qmp-log.ts';
import type { FileOptions, Transport } from './types.ts';

export interface ReplayOptions {
  /** The host name in the run (default: the profile's name). */
  host?: string;
  /** How the folder is named in messages and reports (default: the folder as given). */
  label?: string;
}

/**
 * A host answered from a profile folder (see profile.ts). Nothing is guessed: a command, file or QMP socket that
 * was not recorded rejects with E_NOT_RECORDED naming it. A command recorded several times answers in recorded
 * order, then repeats its last answer. writeFile is accepted into memory (a later readFile of that path on this
 * transport returns it); nothing else sees it.
 */
export class ReplayTransport implements Transport {
  readonly kind = 'replay' as const;
  readonly host: string;
  readonly replayedFrom: string;
  readonly origin: ProfileOrigin;
  /**
   * Paths written during the run (kept in memory only), how often each recorded list was served (by the list: no key
   * string per call), QMP recordings read: made when first needed (a scale run replays 10,000 hosts, most of which
   * need none of them: three empty Maps a host were ~4 MiB kept for the whole run).
   */
  private written?: Map<string, Buffer>;
  private readonly commands: Map<string, CommandEntry[]>;
  private readonly files: Map<string, FileEntry[]>;
  private served?: Map<unknown, number>;
  private qmpCache?: Map<string, Promise<QmpSession[]>>;

  constructor(
    readonly profile: HostProfile,
    options: ReplayOptions = {},
  ) {
    this.host = options.host ?? profile.meta.name;
    this.replayedFrom = options.label ?? profile.dir;
    this.origin = profile.meta.origin;
    ({ commands: this.commands, files: this.files } = indexOf(profile));
  }

  static async open(dir: string, options: ReplayOptions = {}): Promise<ReplayTransport> {
    return new ReplayTransport(await loadProfile(dir), { label: dir, ...options });
  }

  async connect(): Promise<void> {}

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const startedAt = new Date().toISOString();
    if (options.signal?.aborted) {
      throw new CommandError('E_CANCELLED', {
        host: this.host,
        command,
        exitCode: null,
        signal: null,
        stdout: '',
        stderr: '',
        startedAt,
        durationMs: 0,
        timedOut: false,
        cancelled: true,
      });
    }
    const entry = this.next(this.commands, command);
    if (!entry) throw this.notRecorded(command);
    const result: ExecResult = {
      host: this.host,
      command,
      exitCode: entry.exitCode,
      signal: entry.signal ?? null,
      stdout: entry.stdout,
      stderr: entry.stderr,
      startedAt,
      durationMs: 0,
      timedOut: entry.timedOut ?? false,
      cancelled: entry.cancelled ?? false,
    };
    if (result.stdout) options.onStdout?.(result.stdout);
    if (result.timedOut || result.cancelled) throw new CommandError(commandErrorCode(result), result);
    return result;
  }

  async readFile(path: string, options?: FileOptions): Promise<Buffer> {
    const whole = await this.readWhole(path);
    const r = options?.range;
    return r ? whole.subarray(Math.min(r.offset, whole.length), Math.min(r.offset + r.length, whole.length)) : whole;
  }

  private async readWhole(path: string): Promise<Buffer> {
    const mine = this.written?.get(path);
    if (mine) return mine;
    const entry = this.next(this.files, path);
    if (!entry) throw this.notRecorded(`file ${path}`);
    if (entry.error) {
      const cause = Object.assign(new Error(entry.error.message), { code: entry.error.errno });
      throw new HwqualError(entry.error.code as ErrorCode, entry.error.message, { host: this.host, cause });
    }
    return Buffer.from(entry.content ?? '', entry.encoding === 'base64' ? 'base64' : 'utf8');
  }

  async writeFile(path: string, data: string | Buffer, _options?: FileOptions): Promise<void> {
    (this.written ??= new Map()).set(path, Buffer.from(data));
  }

  async forwardUnixSocket(path: string): Promise<Duplex> {
    const entry = this.qmpEntryFor(path);
    if (!entry) throw this.notRecorded(`QMP socket ${path}`);
    const sessions = await this.qmpSessions(entry.file);
    const n = this.bump(`qmp\0${path}`);
    const index = entry.session ? entry.session - 1 : Math.min(n, sessions.length - 1);
    const session = sessions[index];
    if (!session) throw this.notRecorded(`QMP session ${index + 1} of ${entry.file}`);
    return new QmpReplayStream(session, `${this.replayedFrom} (${entry.file})`);
  }

  async close(): Promise<void> {}

  private qmpEntryFor(path: string): QmpSocketEntry | undefined {
    const list = this.profile.meta.qmp ?? [];
    return (
      list.find((q) => q.socket === path) ??
      list.find((q) => q.socket !== '*' && basename(q.socket) === basename(path)) ??
      list.find((q) => q.socket === '*')
    );
  }

  private qmpSessions(file: string): Promise<QmpSession[]> {
    this.qmpCache ??= new Map();
    let p = this.qmpCache.get(file);
    if (!p) {
      const abs = join(this.profile.dir, file);
      p = readFile(abs, 'utf8')
        .then((text) => parseQmpLog(text, abs))
        .catch((err: unknown) => {
          throw new HwqualError('E_CONFIG', `cannot read QMP recording ${abs}: ${(err as Error).message}`, {
            host: this.host,
            cause: err,
          });
        });
      this.qmpCache.set(file, p);
    }
    return p;
  }

  private next<T>(book: Map<string, T[]>, key: string): T | undefined {
    const list = book.get(key);
    if (!list) return undefined;
    if (list.length === 1) return list[0];
    return list[Math.min(this.bump(list), list.length - 1)];
  }

  private bump(key: unknown): number {
    this.served ??= new Map();
    const n = this.served.get(key) ?? 0;
    this.served.set(key, n + 1);
    return n;
  }

  private notRecorded(what: string): HwqualError {
    return new HwqualError('E_NOT_RECORDED', `not recorded in ${this.replayedFrom}: ${what}`, { host: this.host });
  }
}

/**
 * A profile's commands and files by key, made once per profile and shared by every transport replaying it (a scale
 * run replays one profile as thousands of hosts). Read-only after it is made.
 */
const indexes = new WeakMap<HostProfile, { commands: Map<string, CommandEntry[]>; files: Map<string, FileEntry[]> }>();

function indexOf(profile: HostProfile): { commands: Map<string, CommandEntry[]>; files: Map<string, FileEntry[]> } {
  let index = indexes.get(profile);
  if (!index) {
    index = { commands: new Map(), files: new Map() };
    for (const c of profile.commands) group(index.commands, c.command, c);
    for (const f of profile.files) group(index.files, f.path, f);
    indexes.set(profile, index);
  }
  return index;
}

function group<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
