import { ConfigError } from '../config/errors.ts';
import { readConfigFile } from '../config/read.ts';
import { validateAgainst } from '../config/validator.ts';
import type { NovaSettings, Strategy } from '../migration/index.ts';
import type { AccelChoice } from '../vm/accel.ts';

/** A `lab-migrate --plan` file as validated (src/config/schemas/grid.schema.json). */
export interface GridPlan {
  pair?: [string, string];
  dirty?: number[];
  bandwidth?: number[];
  strategies?: Strategy[];
  guest?: { memoryMiB?: number; wssMiB?: number };
  'downtime-limit'?: number;
  deadline?: number;
  stall?: number;
  'calibration-runs'?: number;
  accel?: AccelChoice;
  nova?: Partial<NovaSettings>;
  'lab-shape'?: { rate: string };
}

/** What the grid runs with: the file's values, each replaced by the option given on the command line. */
export interface GridSetup {
  pair: [string, string];
  dirty: number[];
  bandwidth: number[];
  strategies: Strategy[];
  memoryMiB: number;
  wssMiB: number;
  downtimeLimitMs?: number;
  deadlineMs: number;
  stallMs?: number;
  calibrationRuns?: number;
  accel: AccelChoice;
  nova?: Partial<NovaSettings>;
  shapeRate?: string;
}

/**
 * Read and validate a grid file — its schema, then the rules between fields — before any host is contacted. Every
 * problem at once, `grid.yaml: /guest/wssMiB …`; a ConfigError (exit 2).
 */
export function loadGridPlan(path: string): GridPlan {
  const file = readConfigFile(path);
  validateAgainst('grid', file.label, file.data);
  const plan = file.data as GridPlan;
  const problems: string[] = [];
  const { memoryMiB, wssMiB } = plan.guest ?? {};
  if (memoryMiB !== undefined && wssMiB !== undefined && wssMiB > memoryMiB)
    problems.push(`${file.label}: /guest/wssMiB ${wssMiB} is more than the guest's RAM (memoryMiB ${memoryMiB})`);
  if (plan.pair && plan.pair[0] === plan.pair[1])
    problems.push(`${file.label}: /pair migrates ${plan.pair[0]} to itself`);
  if (problems.length) throw new ConfigError(problems);
  return plan;
}

/**
 * The plan and the command line together: an option the user gave (`given`) wins, then the file, then the option's
 * default. Pure.
 */
export function gridSetup(
  plan: GridPlan,
  cli: Pick<GridSetup, 'dirty' | 'bandwidth' | 'strategies' | 'memoryMiB' | 'wssMiB' | 'downtimeLimitMs' | 'accel'> & {
    pair?: [string, string];
    deadlineSec: number;
  },
  given: (option: string) => boolean,
): GridSetup {
  const pick = <T>(option: string, fromCli: T, fromPlan: T | undefined): T =>
    given(option) || fromPlan === undefined ? fromCli : fromPlan;
  const pair = pick('pair', cli.pair, plan.pair);
  if (!pair) throw new ConfigError(['lab-migrate: name the pair: --pair A,B or pair: [A, B] in the grid file']);
  const deadlineSec = pick('deadline', cli.deadlineSec, plan.deadline);
  return {
    pair,
    dirty: pick('dirty', cli.dirty, plan.dirty),
    bandwidth: pick('bandwidth', cli.bandwidth, plan.bandwidth),
    strategies: pick('strategy', cli.strategies, plan.strategies),
    memoryMiB: pick('memory', cli.memoryMiB, plan.guest?.memoryMiB),
    wssMiB: pick('wss', cli.wssMiB, plan.guest?.wssMiB),
    downtimeLimitMs: pick('downtimeLimit', cli.downtimeLimitMs, plan['downtime-limit']),
    deadlineMs: deadlineSec * 1000,
    ...(plan.stall && { stallMs: plan.stall * 1000 }),
    ...(plan['calibration-runs'] && { calibrationRuns: plan['calibration-runs'] }),
    accel: pick('accel', cli.accel, plan.accel),
    ...(plan.nova && { nova: plan.nova }),
    ...(plan['lab-shape'] && { shapeRate: plan['lab-shape'].rate }),
  };
}
