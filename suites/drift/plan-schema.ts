import type { PlanPart } from '../../src/suite-api/plan-part.ts';

/** What the drift suite reads of a plan: `settings.drift` (`hwqual drift` writes it; a plan of one's own may too). */
declare module '../../src/suite-api/index.ts' {
  interface PlanSettings {
    drift?: {
      /** The qualified run: its folder or its results.json. */
      qualified: string;
      /** --lab and --plan of the printed re-run command (default: `<lab.yaml>` and the qualified run's plan file). */
      rerun?: { lab: string; plan: string };
      /** Lab-in-a-box hosts (they share this machine's kernel) → what their root is now. */
      sharedKernel?: Record<string, string>;
    };
  }
}

const part: PlanPart = {
  suite: 'drift',
  settings: {
    drift: {
      description: 'the qualified run drift compares each host with (hwqual drift writes this block)',
      type: 'object',
      required: ['qualified'],
      additionalProperties: false,
      properties: {
        qualified: { type: 'string', minLength: 1, description: 'the qualified run: its folder or its results.json' },
        rerun: {
          type: 'object',
          required: ['lab', 'plan'],
          additionalProperties: false,
          properties: {
            lab: { description: 'the lab file of the re-run', type: 'string' },
            plan: { description: 'the plan file of the re-run', type: 'string' },
          },
          description: '--lab and --plan of the printed re-run command',
        },
        sharedKernel: {
          type: 'object',
          additionalProperties: { type: 'string' },
          description: "lab-in-a-box hosts (they share this machine's kernel) → what their root is now",
        },
      },
    },
  },
};

export default part;
