import type { Duplex } from 'node:stream';
import { HwqualError } from '../model/errors.ts';
import { readJsonLines } from './json-lines.ts';
import { abortable } from '../util/wait.ts';
import type { QmpEvent, QmpGreeting } from '../model/qmp.ts';
import { QmpCommands } from './qmp-commands.ts';

export interface QmpCallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Send as `exec-oob` (out-of-band) when the connection negotiated it: QEMU runs such a command (e.g. migrate-pause,
   * migrate-recover) in the monitor's I/O thread, also while the main loop is blocked — as on a post-copy
   * destination whose vCPU waits for a page while holding the big QEMU lock. In-band otherwise.
   */
  oob?: boolean;
}

/** A QMP error reply, with QEMU's error class (GenericError, CommandNotFound…). */
export class QmpError extends HwqualError {
  constructor(
    readonly command: string,
    readonly errorClass: string,
    readonly desc: string,
    host?: string,
  ) {
    super('E_VM', `QMP ${command}: ${errorClass}: ${desc}`, { host });
    this.name = 'QmpError';
  }
}

interface Pending {
  command: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

/** QMP over any byte stream: greeting, capabilities negotiation, commands with ids, events, timeouts. */
export class QmpClient extends QmpCommands {
  readonly events: QmpEvent[] = [];
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<(e: QmpEvent) => void>();
  private nextId = 1;
  private closedError: Error | undefined;
  private greetingResolve?: (g: QmpGreeting) => void;
  greeting: QmpGreeting | undefined;
  /** Whether out-of-band execution was negotiated (connect with `oob: true` on a QEMU that offers it). */
  oobEnabled = false;

  private constructor(
    private readonly stream: Duplex,
    readonly host: string | undefined,
    readonly defaultTimeoutMs: number,
  ) {
    super();
    readJsonLines(stream, (msg) => this.onMessage(msg));
    const onClose = (err?: Error) =>
      this.fail(new HwqualError('E_VM', `QMP connection closed${err ? `: ${err.message}` : ''}`, { host, cause: err }));
    stream.once('close', () => onClose());
    stream.once('end', () => onClose());
    stream.once('error', onClose);
  }

  /** Read the greeting and enter command mode (`qmp_capabilities`, enabling `oob` when asked for and offered). */
  static async connect(stream: Duplex, options: QmpCallOptions & { host?: string } = {}): Promise<QmpClient> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const client = new QmpClient(stream, options.host, timeoutMs);
    try {
      const greeting = new Promise<QmpGreeting>((resolve) => {
        client.greetingResolve = resolve;
      });
      client.greeting = await abortable(greeting, {
        timeoutMs,
        signal: options.signal,
        what: 'QMP greeting',
        host: options.host,
      });
      const oob = !!options.oob && (client.greeting.QMP.capabilities ?? []).includes('oob');
      await client.execute('qmp_capabilities', oob ? { enable: ['oob'] } : undefined, {
        timeoutMs: options.timeoutMs,
        signal: options.signal,
      });
      client.oobEnabled = oob;
      return client;
    } catch (err) {
      client.close();
      throw err;
    }
  }

  /** Send one command; resolves with its `return`, rejects with QmpError, or E_TIMEOUT / E_CANCELLED. */
  execute<T = unknown>(command: string, args?: Record<string, unknown>, options: QmpCallOptions = {}): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = `hwqual-${this.nextId++}`;
    const reply = new Promise<unknown>((resolve, reject) => this.pending.set(id, { command, resolve, reject }));
    const key = options.oob && this.oobEnabled ? 'exec-oob' : 'execute';
    this.stream.write(`${JSON.stringify(args ? { [key]: command, arguments: args, id } : { [key]: command, id })}\n`);
    return abortable(reply, {
      timeoutMs: options.timeoutMs ?? this.defaultTimeoutMs,
      signal: options.signal,
      what: `QMP ${command}`,
      host: this.host,
      onGiveUp: () => this.pending.delete(id),
    }) as Promise<T>;
  }

  /** Subscribe to events; returns the unsubscribe function. */
  onEvent(listener: (e: QmpEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The next event named `name` (and matching `match`), including ones already received since `sinceIndex`. */
  waitForEvent(
    name: string,
    options: QmpCallOptions & { match?: (e: QmpEvent) => boolean; sinceIndex?: number } = {},
  ): Promise<QmpEvent> {
    const ok = (e: QmpEvent) => e.event === name && (!options.match || options.match(e));
    const seen = options.sinceIndex === undefined ? undefined : this.events.slice(options.sinceIndex).find(ok);
    if (seen) return Promise.resolve(seen);
    let off = () => {};
    const found = new Promise<QmpEvent>((resolve) => {
      off = this.onEvent((e) => {
        if (ok(e)) resolve(e);
      });
    });
    return abortable(found, {
      timeoutMs: options.timeoutMs ?? this.defaultTimeoutMs,
      signal: options.signal,
      what: `QMP event ${name}`,
      host: this.host,
    }).finally(() => off());
  }

  get isClosed(): boolean {
    return this.closedError !== undefined;
  }

  close(): void {
    this.fail(new HwqualError('E_VM', 'QMP connection closed by hwqual', { host: this.host }));
    this.stream.destroy();
  }

  protected call<T>(command: string, args?: Record<string, unknown>, options?: QmpCallOptions): Promise<T> {
    return this.execute<T>(command, args, options);
  }

  private onMessage(msg: Record<string, unknown>): void {
    if ('QMP' in msg) {
      this.greetingResolve?.(msg as unknown as QmpGreeting);
      return;
    }
    if (typeof msg.event === 'string') {
      const e = msg as unknown as QmpEvent;
      this.events.push(e);
      for (const l of this.listeners) l(e);
      return;
    }
    const id = typeof msg.id === 'string' ? msg.id : undefined;
    const p = id ? this.pending.get(id) : undefined;
    if (!p || !id) return;
    this.pending.delete(id);
    if ('error' in msg) {
      const e = msg.error as { class?: string; desc?: string };
      p.reject(new QmpError(p.command, e.class ?? 'Error', e.desc ?? 'unknown error', this.host));
    } else {
      p.resolve(msg.return);
    }
  }

  private fail(err: Error): void {
    if (this.closedError) return;
    this.closedError = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
