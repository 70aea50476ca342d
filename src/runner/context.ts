import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AssertionFailure, HwqualError, SkipCase } from '../model/errors.ts';
import type { ArtifactRecord, AssertionRecord } from '../model/result.ts';
import type { CaseContext, CaseExecOptions, HostInfo, PlanView } from '../suite-api/types.ts';
import { CommandError } from '../transport/command-error.ts';
import type { Transport } from '../transport/types.ts';
import { makeChecks } from './checks.ts';
import { Transcript } from './transcript.ts';

export interface CaseState {
  assertions: AssertionRecord[];
  artifacts: ArtifactRecord[];
  metrics: Record<string, number>;
  facts: Record<string, unknown>;
  cleanups: Array<() => Promise<void> | void>;
  transcript: Transcript;
  /** Commands a replayed host's profile could not answer (E_NOT_RECORDED), in order. */
  unrecorded: string[];
  /** Commands through ctx.exec not finished yet. */
  inflight: number;
  /** Whether the case took ctx.signal (to hand it to something that may outlive run()). */
  signalTaken: boolean;
}

export interface ContextInput {
  host: HostInfo;
  plan: PlanView;
  params: Record<string, string>;
  transport: Transport;
  peers?: ReadonlyMap<string, Transport>;
  signal: AbortSignal;
  /** The run folder, and this case's artifacts folder relative to it (made only when the case saves an artifact). */
  outDir: string;
  caseDirRel: () => string;
  deadline: number;
  /** The case only reads state: its commands are read-only unless they say otherwise (the transport may batch them). */
  readOnly?: boolean;
}

export function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._=-]+/g, '_').slice(0, 120);
}

export function createContext(input: ContextInput): { ctx: CaseContext; state: CaseState } {
  const state: CaseState = {
    assertions: [], artifacts: [], metrics: {}, facts: {}, cleanups: [], transcript: new Transcript(), unrecorded: [], inflight: 0, signalTaken: false,
  };
  const { transport, signal } = input;
  const timeoutMs = (o?: CaseExecOptions) =>
    Math.max(1, o?.timeout !== undefined ? o.timeout * 1000 : input.deadline - Date.now());

  const exec: CaseContext['exec'] = async (command, options) => {
    state.inflight++;
    try {
      const r = await transport.exec(command, { stdin: options?.stdin, readOnly: options?.readOnly ?? input.readOnly, timeoutMs: timeoutMs(options), signal });
      state.transcript.command(r);
      return r;
    } catch (err) {
      if (err instanceof CommandError) state.transcript.command(err.result);
      else state.transcript.log(`$ ${command}\n  → ${(err as Error).message}`);
      if (err instanceof HwqualError && err.code === 'E_NOT_RECORDED' && !state.unrecorded.includes(command)) state.unrecorded.push(command);
      throw err;
    } finally {
      state.inflight--;
    }
  };

  const ctx: CaseContext = {
    host: input.host,
    plan: input.plan,
    params: input.params,
    get signal() {
      state.signalTaken = true;
      return signal;
    },
    transport,
    peer: (name) => input.peers?.get(name),
    log: (m) => state.transcript.log(m),
    exec,
    async run(command, options) {
      const r = await exec(command, options);
      if (r.exitCode !== 0) throw new CommandError(r.exitCode === 127 ? 'E_COMMAND_NOT_FOUND' : 'E_COMMAND', r);
      return r.stdout;
    },
    async readFile(path) {
      const r = await exec(`cat ${shellQuote(path)}`, { readOnly: true });
      if (r.exitCode === 0) return r.stdout;
      if (/No such file|not found/i.test(r.stderr)) return undefined;
      throw new CommandError('E_COMMAND', r);
    },
    async artifact(name, data) {
      const file = safeName(name);
      const rel = input.caseDirRel();
      await mkdir(join(input.outDir, rel), { recursive: true });
      await writeFile(join(input.outDir, rel, file), data);
      const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
      state.artifacts = state.artifacts.filter((a) => a.name !== name);
      state.artifacts.push({ name, path: `${rel}/${file}`, bytes });
    },
    metric(name, value) {
      if (!Number.isFinite(value)) throw new HwqualError('E_INTERNAL', `metric ${name} is not a finite number: ${value}`);
      state.metrics[name] = value;
    },
    fact(key, value) {
      state.facts[key] = value;
    },
    expect: makeChecks(state.assertions, true),
    check: makeChecks(state.assertions, false),
    fail(message, expected, actual) {
      throw new AssertionFailure(message, expected, actual);
    },
    skip(reason) {
      throw new SkipCase(reason);
    },
    defer(cleanup) {
      state.cleanups.push(cleanup);
    },
  };
  return { ctx, state };
}

export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
