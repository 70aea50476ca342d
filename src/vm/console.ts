import { StringDecoder } from 'node:string_decoder';
import { HwqualError } from '../model/errors.ts';
import type { Transport } from '../transport/types.ts';
import { findPanicLine, GuestFaultError, GuestPanicError, guestProblemLines } from './panic.ts';
import { poll } from '../util/poll.ts';

export interface WaitForOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Search the console text from this character index on (default 0: the whole log). */
  from?: number;
  /**
   * Fail with GuestPanicError when a kernel panic shows up first, and when QEMU exits, with GuestFaultError quoting
   * the console's panic/Oops/BUG/WARNING line if there is one (default true).
   */
  detectPanic?: boolean;
  /** Checked between polls: when it resolves false the wait ends with E_VM (QEMU is gone). */
  isAlive?: () => Promise<boolean>;
}

export interface ConsoleMatch {
  match: RegExpExecArray /** Character index just past the match. */;
  end: number;
}

const CHUNK = 1 << 20;

/** The guest's serial console, a file on the host, read incrementally through the transport (byte offsets). */
export class ConsoleReader {
  private bytes = 0;
  private decoder = new StringDecoder('utf8');
  private content = '';

  constructor(
    private readonly transport: Transport,
    readonly path: string,
    readonly vmName = 'vm',
    private readonly pollMs = 100,
  ) {}

  /** Everything read so far (carriage returns removed). */
  get text(): string {
    return this.content;
  }

  /** Fetch what was appended since the last poll; returns the number of new bytes. */
  async poll(signal?: AbortSignal): Promise<number> {
    let total = 0;
    for (;;) {
      const chunk = await this.transport
        .readFile(this.path, { range: { offset: this.bytes, length: CHUNK }, signal, timeoutMs: 30_000 })
        .catch((err: unknown) => {
          // Not there (yet, or any more after teardown): nothing new. Connection trouble and cancels propagate.
          if (err instanceof HwqualError && err.code === 'E_COMMAND') return Buffer.alloc(0);
          throw err;
        });
      this.bytes += chunk.length;
      total += chunk.length;
      this.content += this.decoder.write(chunk).replace(/\r/g, '');
      if (chunk.length < CHUNK) return total;
    }
  }

  /**
   * Poll until `pattern` matches; otherwise E_TIMEOUT / E_CANCELLED, GuestPanicError (a panic line), or when QEMU
   * exits: GuestFaultError quoting the guest's own problem line if its console has one, else E_VM.
   */
  async waitFor(pattern: RegExp, options: WaitForOptions): Promise<ConsoleMatch> {
    const from = options.from ?? 0;
    const re = new RegExp(pattern.source, pattern.flags.replace('g', ''));
    // Whether QEMU still runs costs a command on the host: ask about once a second, not on every poll.
    let aliveCheckedAt = Date.now();
    const shown = async (): Promise<ConsoleMatch | undefined> => {
      await this.poll(options.signal);
      const found = this.search(re, from);
      if (found) return found;
      if (options.detectPanic !== false) {
        const panic = findPanicLine(this.content, from);
        if (panic) throw new GuestPanicError(panic, this.vmName, `waiting for ${re} on the console`);
      }
      const askAlive = options.isAlive && Date.now() - aliveCheckedAt >= 1000;
      if (askAlive) aliveCheckedAt = Date.now();
      if (askAlive && !(await options.isAlive!())) {
        await this.poll(options.signal);
        const late = this.search(re, from);
        if (late) return late;
        const doing = `waiting for ${re} on the console`;
        const problem = options.detectPanic !== false ? guestProblemLines(this.content)[0] : undefined;
        if (problem && problem === findPanicLine(this.content)) throw new GuestPanicError(problem, this.vmName, doing);
        if (problem) throw new GuestFaultError(problem, this.vmName, `QEMU exited while hwqual was ${doing}`);
        throw new HwqualError('E_VM', `QEMU of ${this.vmName} exited before the console showed ${re}; ${this.tail()}`, {
          host: this.transport.host,
        });
      }
      return undefined;
    };
    const found = await poll(shown, { timeoutMs: options.timeoutMs, everyMs: this.pollMs, signal: options.signal });
    if (found) return found;
    throw new HwqualError(
      'E_TIMEOUT',
      `waiting for ${re} on the console of ${this.vmName}: timed out after ${options.timeoutMs} ms; ${this.tail()}`,
      { host: this.transport.host },
    );
  }

  /** The last lines, for error messages. */
  tail(lines = 5): string {
    const last = this.content.trimEnd().split('\n').slice(-lines).join(' | ');
    return last ? `last console lines: ${last}` : 'the console is empty';
  }

  private search(re: RegExp, from: number): ConsoleMatch | undefined {
    const m = re.exec(this.content.slice(from));
    if (!m) return undefined;
    return { match: m, end: from + m.index + m[0].length };
  }
}
