import type { Command } from 'commander';
import { prepareRun } from '../../runner/prepare.ts';
import { badInputExit, buildFilter, collectList, loadConfigs } from '../common.ts';
import { EXIT } from '../exit-codes.ts';
import { replayBindings } from '../replay-option.ts';

export function register(program: Command): void {
  program
    .command('list')
    .description(
      'connect to the hosts, gather facts, and list every case the plan expands to (skips with their reason)',
    )
    .requiredOption('--lab <file>', 'lab inventory (YAML or JSON)')
    .requiredOption('--plan <file>', 'qualification plan (YAML or JSON)')
    .option('--grep <regex>', 'only cases whose id or title matches')
    .option('--grep-invert <regex>', 'leave out cases whose id or title matches')
    .option('--tag <tag>', 'only cases with this tag (repeatable, or comma-separated)', collectList)
    .option(
      '--replay <profiles>',
      'answer from recorded host profiles instead of the live hosts (comma-separated folders)',
    )
    .option('--json', 'print the cases as JSON')
    .action(
      async (o: {
        lab: string;
        plan: string;
        grep?: string;
        grepInvert?: string;
        tag?: string[];
        replay?: string;
        json?: boolean;
      }) => {
        try {
          const { lab, plan } = await loadConfigs(o.lab, o.plan);
          const filter = buildFilter(o);
          const prepared = await prepareRun({
            lab,
            plan,
            filter,
            bindings: o.replay ? await replayBindings(o.replay, lab, plan) : undefined,
          });
          await Promise.all(prepared.hosts.map((h) => h.binding.transport.close()));
          const rows = [...prepared.cases].map((c) => ({
            id: c.id,
            title: c.def.title,
            severity: c.severity,
            tags: c.tags,
            state: c.hostError ? 'error' : c.skipReason ? 'skip' : 'run',
            reason: c.hostError ?? c.skipReason,
          }));
          if (o.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          else {
            for (const r of rows)
              process.stdout.write(`${r.state.padEnd(5)} ${r.id}  ${r.title}${r.reason ? `  — ${r.reason}` : ''}\n`);
            const n = (s: string) => rows.filter((r) => r.state === s).length;
            const kept = prepared.all.length !== rows.length;
            process.stdout.write(
              `${rows.length} case(s): ${n('run')} to run, ${n('skip')} skipped, ${n('error')} on unreachable hosts` +
                `${kept ? ` (filters kept ${rows.length} of ${prepared.all.length})` : ''}\n`,
            );
          }
          process.exitCode = EXIT.ok;
        } catch (err) {
          process.exitCode = badInputExit(err);
        }
      },
    );
}
