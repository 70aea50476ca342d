import { createRequire } from 'node:module';
import { basename } from 'node:path';
import type { Duplex } from 'node:stream';
import { HwqualError } from '../model/errors.ts';
import type { ExecOptions, ExecResult } from '../model/exec.ts';
import { CommandError } from './command-error.ts';
import {
  PROFILE_FORMAT,
  saveProfile,
  type CommandEntry,
  type FileEntry,
  type HostProfileData,
  type ProfileMeta,
  type QmpSocketEntry,
} from './profile.ts';
import { QmpTap, tapQmpStream } from './recording-qmp-tap.ts';
import { formatQmpLog, type QmpSession } from './replay-qmp-log.ts';
import type { FileOptions, Transport } from './types.ts';

/**
 * Wraps any Transport and records what the host answered: every command (stdout, stderr, exit code, when, which
 * host), every file read (content, or the error), and every QMP connection opened through forwardUnixSocket.
 * Timed-out commands are recorded as timed out; cancelled ones and infrastructure faults are not (they say
 * nothing about the host). Writes pass through unrecorded. `save(dir)` writes a profile folder (profile.ts).
 */
export class RecordingTransport implements Transport {
  readonly kind = 'recording' as const;
  readonly commands: CommandEntry[] = [];
  readonly files: FileEntry[] = [];
  /** QMP sessions by socket path, one per connection in the order they opened; each grows while it is open. */
  readonly qmp = new Map<string, QmpSession[]>();

  constructor(
    readonly inner: Transport,
    private readonly address = inner.host,
  ) {}

  get host(): string {
    return this.inner.host;
  }
  get user(): string | undefined {
    return this.inner.user;
  }
  get become(): Transport['become'] {
    return this.inner.become;
  }

  connect(signal?: AbortSignal): Promise<void> {
    return this.inner.connect(signal);
  }

  async exec(command: string, options?: ExecOptions): Promise<ExecResult> {
    try {
      const r = await this.inner.exec(command, options);
      this.commands.push(entryOf(r));
      return r;
    } catch (err) {
      if (err instanceof CommandError && err.result.timedOut) this.commands.push(entryOf(err.result));
      throw err;
    }
  }

  async readFile(path: string, options?: FileOptions): Promise<Buffer> {
    // A byte range follows a growing file (a VM's console): part of a run, not a fact about the host to replay.
    if (options?.range) return this.inner.readFile(path, options);
    const recordedAt = new Date().toISOString();
    try {
      const data = await this.inner.readFile(path, options);
      const text = data.toString('utf8');
      const utf8 = Buffer.from(text, 'utf8').equals(data);
      this.files.push({
        path,
        content: utf8 ? text : data.toString('base64'),
        encoding: utf8 ? 'utf8' : 'base64',
        recordedAt,
        host: this.host,
      });
      return data;
    } catch (err) {
      if (err instanceof HwqualError && (err.code === 'E_COMMAND' || err.code === 'E_COMMAND_NOT_FOUND')) {
        const errno = (err.cause as NodeJS.ErrnoException | undefined)?.code;
        this.files.push({
          path,
          error: { code: err.code, message: err.message, ...(errno ? { errno } : {}) },
          recordedAt,
          host: this.host,
        });
      }
      throw err;
    }
  }

  writeFile(path: string, data: string | Buffer, options?: FileOptions): Promise<void> {
    return this.inner.writeFile(path, data, options);
  }

  async forwardUnixSocket(path: string, options?: FileOptions): Promise<Duplex> {
    const stream = await this.inner.forwardUnixSocket(path, options);
    const tap = new QmpTap();
    this.qmp.set(path, [...(this.qmp.get(path) ?? []), tap.session]);
    return tapQmpStream(stream, tap);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** The recording as profile data; `meta` fills in name, sources, labels… */
  toProfile(meta: Partial<ProfileMeta> = {}): HostProfileData {
    const qmpFiles: Record<string, string> = {};
    const qmp: QmpSocketEntry[] = [];
    for (const [socket, all] of this.qmp) {
      const sessions = all.filter((x) => x.greeting || x.exchanges.length);
      if (!sessions.length) continue;
      const stem = basename(socket).replace(/[^A-Za-z0-9._-]+/g, '_') || 'qmp';
      let file = `qmp/${stem}.replies`;
      for (let i = 2; file in qmpFiles; i++) file = `qmp/${stem}-${i}.replies`;
      qmpFiles[file] = formatQmpLog(sessions);
      qmp.push({ socket, file });
    }
    const full: ProfileMeta = {
      format: PROFILE_FORMAT,
      name: this.host,
      origin: 'recorded',
      recordedAt: new Date().toISOString(),
      recordedFrom: { host: this.host, address: this.address, transport: this.inner.kind },
      sources: [{ what: `recorded live from ${this.host} (${this.address}) through the ${this.inner.kind} transport` }],
      hwqualVersion: hwqualVersion(),
      ...meta,
      ...(qmp.length ? { qmp: [...qmp, ...(meta.qmp ?? [])] } : {}),
    };
    return {
      meta: full,
      commands: collapse(this.commands, (c) => c.command),
      files: collapse(this.files, (f) => f.path),
      qmpFiles,
    };
  }

  async save(dir: string, meta: Partial<ProfileMeta> = {}): Promise<void> {
    await saveProfile(dir, this.toProfile(meta));
  }
}

/**
 * A command (or file) asked several times with the same answer every time is stored once: replay repeats the last
 * answer, so this changes nothing. Answers that differ are all kept, in order.
 */
function collapse<T extends CommandEntry | FileEntry>(entries: T[], keyOf: (e: T) => string): T[] {
  const answer = (e: T) => {
    const { recordedAt: _at, durationMs: _d, ...rest } = e as CommandEntry & FileEntry;
    return JSON.stringify(rest);
  };
  const byKey = new Map<string, T[]>();
  for (const e of entries) byKey.set(keyOf(e), [...(byKey.get(keyOf(e)) ?? []), e]);
  return entries.filter((e) => {
    const all = byKey.get(keyOf(e))!;
    return !all.every((x) => answer(x) === answer(all[0])) || e === all[0];
  });
}

function entryOf(r: ExecResult): CommandEntry {
  return {
    command: r.command,
    stdout: r.stdout,
    stderr: r.stderr,
    exitCode: r.exitCode,
    ...(r.signal ? { signal: r.signal } : {}),
    ...(r.timedOut ? { timedOut: true } : {}),
    durationMs: Math.round(r.durationMs),
    recordedAt: r.startedAt,
    host: r.host,
  };
}

export function hwqualVersion(): string {
  const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
  return pkg.version;
}
