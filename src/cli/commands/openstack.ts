import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildHandoff, handoffMarkdown, novaConf, refusal } from '../../openstack/index.ts';
import { readRunResults } from '../../report/read-results.ts';
import { badInputExit } from '../common.ts';

/**
 * `hwqual openstack <run>`: from a qualified run's results.json alone, the Nova configuration of each CPU pool
 * (nova-compute-<pool>.conf), the traits each host will report and the flavors of the qualified features
 * (handoff.json, handoff.md). Bad input exits 2 and a run that is not a sign-off exits with its verdict's code;
 * neither writes anything.
 */
export function register(program: Command): void {
  program
    .command('openstack')
    .description("write the Nova configuration, traits and flavors of a qualified run's CPU pools (offline)")
    .argument('<run>', 'run folder (holds results.json) or a results.json')
    .option('--pool <name>', 'only this pool')
    .option('--out <dir>', 'where to write (default: <run>/openstack)')
    .action((run: string, flags: { pool?: string; out?: string }) => {
      let handoff;
      try {
        const { results } = readRunResults(run);
        const refused = refusal(results);
        if (refused) {
          process.stderr.write(`hwqual: ${refused.message}\n`);
          process.exitCode = refused.exitCode;
          return;
        }
        handoff = buildHandoff(results, flags.pool);
      } catch (err) {
        process.exitCode = badInputExit(err);
        return;
      }
      const out = flags.out ?? join(run.endsWith('.json') ? join(run, '..') : run, 'openstack');
      mkdirSync(out, { recursive: true });
      for (const p of handoff.pools) writeFileSync(join(out, `nova-compute-${p.pool}.conf`), novaConf(handoff, p));
      writeFileSync(join(out, 'handoff.json'), `${JSON.stringify(handoff, null, 2)}\n`);
      writeFileSync(join(out, 'handoff.md'), handoffMarkdown(handoff));
      for (const p of handoff.pools)
        process.stdout.write(
          `pool ${p.pool}: cpu_models = ${p.cpuModels.map((m) => m.libvirt).join(', ')}; ` +
            `${p.flavors.length} flavor(s); ${p.notOffered.length} feature(s) not offered\n`,
        );
      process.stdout.write(`written: ${out}\n`);
    });
}
