import type { PlanView } from '../../src/suite-api/index.ts';

/** `settings.drift` of the plan (`hwqual drift` writes it; a plan of one's own may too). */
export interface DriftSettings {
  /** The qualified run: its folder or its results.json. */
  qualified: string;
  /** --lab and --plan of the printed re-run command (default: `<lab.yaml>` and the qualified run's plan file). */
  rerun?: { lab: string; plan: string };
  /** Lab-in-a-box hosts (they share this machine's kernel) → what their root is now. */
  sharedKernel?: Record<string, string>;
}

/** The JSON Schema of `settings.drift`, for the plan schema's per-suite settings. */
export const settingsSchema = {
  $id: 'hwqual:settings/drift',
  type: 'object',
  required: ['qualified'],
  additionalProperties: false,
  properties: {
    qualified: { type: 'string', minLength: 1, description: 'the qualified run: its folder or its results.json' },
    rerun: {
      type: 'object',
      required: ['lab', 'plan'],
      additionalProperties: false,
      properties: { lab: { type: 'string' }, plan: { type: 'string' } },
      description: '--lab and --plan of the printed re-run command',
    },
    sharedKernel: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: "lab-in-a-box hosts (they share this machine's kernel) → what their root is now",
    },
  },
} as const;

/** Checked here once (the cases trust it). */
export function driftSettings(plan: PlanView): DriftSettings {
  const raw = plan.settings.drift as Record<string, unknown> | undefined;
  const fail = (what: string): never => {
    throw new Error(`drift: settings.drift${what}`);
  };
  if (!raw || typeof raw !== 'object') fail(' is required: { qualified: <run folder or results.json> }');
  const r = raw as Record<string, unknown>;
  if (typeof r.qualified !== 'string' || !r.qualified) fail('.qualified must name the qualified run');
  const rerun = r.rerun as DriftSettings['rerun'];
  if (rerun !== undefined && (typeof rerun?.lab !== 'string' || typeof rerun.plan !== 'string'))
    fail('.rerun must be { lab, plan }');
  const shared = r.sharedKernel as Record<string, unknown> | undefined;
  if (shared !== undefined && (typeof shared !== 'object' || Object.values(shared).some((v) => typeof v !== 'string')))
    fail('.sharedKernel must map host names to strings');
  return r as unknown as DriftSettings;
}
