import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AssertionFailure, HwqualError, SkipCase } from '../model/errors.ts';
import type { ArtifactRecord, AssertionRecord, CaseChart, Sample } from '../model/result.ts';
import type { ExecResult } from '../model/exec.ts';
import { rootNeedOf } from '../probe/commands.ts';
import type { CaseContext, CaseExecOptions, Checks, HostInfo, PlanView } from '../suite-api/types.ts';
import { CommandError } from '../transport/command-error.ts';
import type { Transport } from '../transport/types.ts';
import { makeChecks } from './checks.ts';
import { Transcript } from './transcript.ts';

export interface CaseState {
  assertions: AssertionRecord[];
  artifacts: ArtifactRecord[];
  metrics: Record<string, number>;
  /** Charts of the case's own series (plain data), drawn inline by the HTML report. */
  charts: CaseChart[];
  /** Measurements of repeated figures, by figure (ctx.sample). */
  samples: Record<string, Sample[]>;
  facts: Record<string, unknown>;
  cleanups: Array<() => Promise<void> | void>;
  transcript: Transcript;
  /** Commands a replayed host's profile could not answer (E_NOT_RECORDED), in order. */
  unrecorded: string[];
  /** Commands not run for want of root (E_NEEDS_ROOT: a non-root login without `become`), their messages in order. */
  needsRoot: string[];
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
  /** The run folder, the case's id and attempt: its artifacts go to `cases/<id>[/attempt-N]` (made on first use). */
  outDir: string;
  caseId: string;
  attempt: number;
  deadline: number;
  /** The case only reads state: its commands are read-only unless they say otherwise (the transport may batch them). */
  readOnly?: boolean;
}

export function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._=-]+/g, '_').slice(0, 120);
}

export function createContext(input: ContextInput): { ctx: CaseContext; state: CaseState } {
  const state: CaseState = {
    assertions: [],
    artifacts: [],
    metrics: {},
    charts: [],
    samples: {},
    facts: {},
    cleanups: [],
    transcript: new Transcript(),
    unrecorded: [],
    needsRoot: [],
    inflight: 0,
    signalTaken: false,
  };
  return { ctx: new RunnerContext(input, state), state };
}

/**
 * The CaseContext the runner gives a case. A class, its methods on the prototype: one object per case, not a dozen
 * closures (a run may have 60,000 cases). Suites call its methods on ctx (`ctx.exec(…)`, `ctx.peer?.(…)`).
 */
class RunnerContext implements CaseContext {
  readonly host: HostInfo;
  readonly plan: PlanView;
  readonly params: Record<string, string>;
  readonly transport: Transport;
  readonly expect: Checks;
  readonly check: Checks;

  constructor(
    private readonly input: ContextInput,
    private readonly state: CaseState,
  ) {
    this.host = input.host;
    this.plan = input.plan;
    this.params = input.params;
    this.transport = input.transport;
    this.expect = makeChecks(state.assertions, true);
    this.check = makeChecks(state.assertions, false);
  }

  get signal(): AbortSignal {
    this.state.signalTaken = true;
    return this.input.signal;
  }

  peer(name: string): Transport | undefined {
    return this.input.peers?.get(name);
  }

  log(message: string): void {
    this.state.transcript.log(message);
  }

  async exec(command: string, options?: CaseExecOptions): Promise<ExecResult> {
    const { input, state } = this;
    const timeoutMs = Math.max(
      1,
      options?.timeout !== undefined ? options.timeout * 1000 : input.deadline - Date.now(),
    );
    state.inflight++;
    try {
      const r = await input.transport.exec(command, {
        stdin: options?.stdin,
        readOnly: options?.readOnly ?? input.readOnly,
        // Declared with the command: by the caller, or in the CMD table (src/probe/commands.ts CMD_ROOT).
        root: options?.root ?? rootNeedOf(command),
        timeoutMs,
        signal: input.signal,
      });
      state.transcript.command(r);
      return r;
    } catch (err) {
      if (err instanceof CommandError) state.transcript.command(err.result);
      else state.transcript.log(`$ ${command}\n  → ${(err as Error).message}`);
      if (err instanceof HwqualError && err.code === 'E_NOT_RECORDED' && !state.unrecorded.includes(command))
        state.unrecorded.push(command);
      if (err instanceof HwqualError && err.code === 'E_NEEDS_ROOT' && !state.needsRoot.includes(err.message))
        state.needsRoot.push(err.message);
      throw err;
    } finally {
      state.inflight--;
    }
  }

  async run(command: string, options?: CaseExecOptions): Promise<string> {
    const r = await this.exec(command, options);
    if (r.exitCode !== 0) throw new CommandError(r.exitCode === 127 ? 'E_COMMAND_NOT_FOUND' : 'E_COMMAND', r);
    return r.stdout;
  }

  async readFile(path: string): Promise<string | undefined> {
    const r = await this.exec(`cat ${shellQuote(path)}`, { readOnly: true });
    if (r.exitCode === 0) return r.stdout;
    if (/No such file|not found/i.test(r.stderr)) return undefined;
    throw new CommandError('E_COMMAND', r);
  }

  async artifact(name: string, data: string | Buffer): Promise<void> {
    const { input, state } = this;
    const file = safeName(name);
    const rel = `cases/${safeName(input.caseId)}${input.attempt > 1 ? `/attempt-${input.attempt}` : ''}`;
    await mkdir(join(input.outDir, rel), { recursive: true });
    await writeFile(join(input.outDir, rel, file), data);
    const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    state.artifacts = state.artifacts.filter((a) => a.name !== name);
    state.artifacts.push({ name, path: `${rel}/${file}`, bytes });
  }

  metric(name: string, value: number): void {
    if (!Number.isFinite(value)) throw new HwqualError('E_INTERNAL', `metric ${name} is not a finite number: ${value}`);
    this.state.metrics[name] = value;
  }

  chart(chart: CaseChart): void {
    this.state.charts.push(chart);
  }

  sample(figure: string, sample: Sample): void {
    if (!Number.isFinite(sample.value))
      throw new HwqualError('E_INTERNAL', `sample of ${figure} is not a finite number: ${sample.value}`);
    (this.state.samples[figure] ??= []).push(sample);
  }

  fact(key: string, value: unknown): void {
    this.state.facts[key] = value;
  }

  fail(message: string, expected?: unknown, actual?: unknown): never {
    throw new AssertionFailure(message, expected, actual);
  }

  skip(reason: string): never {
    throw new SkipCase(reason);
  }

  defer(cleanup: () => Promise<void> | void): void {
    this.state.cleanups.push(cleanup);
  }
}

export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
