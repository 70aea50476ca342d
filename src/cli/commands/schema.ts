import type { Command } from 'commander';
import { fixedSchema, planSchema } from '../../config/plan-schema.ts';
import { badInputExit, UsageExit } from '../common.ts';
import { EXIT } from '../exit-codes.ts';

const KINDS = ['plan', 'lab', 'waivers', 'grid'] as const;

/**
 * `hwqual schema plan|lab|waivers|grid`: the JSON Schema a file is validated against — the plan's composed from every
 * suite's part (built-in and HWQUAL_SUITES_PATH), the grid's for `lab-migrate --plan` — for editors
 * (`# yaml-language-server: $schema=…`) and CI.
 */
export function register(program: Command): void {
  program
    .command('schema')
    .description(
      'print the JSON Schema of a plan, lab, waivers or grid file (the plan schema includes every suite’s keys)',
    )
    .argument('<kind>', KINDS.join(' | '))
    .action(async (kind: string) => {
      try {
        if (!(KINDS as readonly string[]).includes(kind))
          throw new UsageExit(`schema: unknown kind "${kind}" (${KINDS.join(', ')})`);
        const schema = kind === 'plan' ? await planSchema() : fixedSchema(kind as 'lab' | 'waivers' | 'grid');
        process.stdout.write(`${JSON.stringify(schema, null, 2)}\n`);
        process.exitCode = EXIT.ok;
      } catch (err) {
        process.exitCode = badInputExit(err);
      }
    });
}
