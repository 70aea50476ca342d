import type { Command } from 'commander';
import { selectHosts } from '../../runner/hosts.ts';
import { loadSuites } from '../../runner/load-suites.ts';
import { badInputExit, loadConfigs } from '../common.ts';
import { EXIT } from '../exit-codes.ts';

export function register(program: Command): void {
  program
    .command('validate')
    .description('check the lab and plan files (schemas, host references, suites) without contacting any host')
    .requiredOption('--lab <file>', 'lab inventory (YAML or JSON)')
    .requiredOption('--plan <file>', 'qualification plan (YAML or JSON)')
    .action(async (o: { lab: string; plan: string }) => {
      try {
        const { lab, plan } = await loadConfigs(o.lab, o.plan);
        const suites = await loadSuites(plan.suites);
        const hosts = selectHosts(lab, plan);
        process.stdout.write(
          `ok: plan "${plan.name}": ${suites.length} suite(s) on ${hosts.length} of ${lab.hosts.length} ` +
            `host(s): ${hosts.map((h) => h.name).join(', ')}\n`,
        );
        process.exitCode = EXIT.ok;
      } catch (err) {
        process.exitCode = badInputExit(err);
      }
    });
}
