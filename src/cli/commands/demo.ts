import type { Command } from 'commander';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labDown, labUp } from '../../lab/index.ts';
import { registerEmergencyCleanup } from '../../util/emergency.ts';
import { runCommand } from './run.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The demo job: a 3-host lab-in-a-box (network namespaces, each with its own sshd; loopback sshds where namespaces
 * cannot be made) → the demo plan over SSH → reports/demo → lab down, whatever happened.
 */
export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'bring up a 3-host lab on this machine, run the demo plan over SSH into reports/demo, take the lab down',
    )
    .option('--out <dir>', 'report folder', 'reports/demo')
    .option('--hosts <n>', 'lab hosts', (v) => Number(v), 3)
    .option('--local', 'skip the lab: run the plan on this machine as host "local" (no SSH)')
    .action(async (o: { out: string; hosts: number; local?: boolean }) => {
      const plan = resolve(ROOT, 'fixtures/plans/demo.yaml');
      if (o.local) {
        process.exitCode = demoExit(
          await runCommand({ lab: resolve(ROOT, 'fixtures/labs/local.yaml'), plan, out: o.out }, ['demo', '--local']),
        );
        return;
      }
      const dir = resolve(ROOT, '.hwqual-lab/demo');
      // A second Ctrl-C skips the graceful path: the lab still goes down.
      const unregister = registerEmergencyCleanup(() => labDown(dir));
      try {
        const state = await labUp({ dir, hosts: o.hosts });
        process.stdout.write(
          `lab: ${state.hosts.length} hosts ` +
            `(${state.mode}${state.fallbackReason ? `: ${state.fallbackReason}` : ''}) — ${state.labYaml}\n`,
        );
        process.exitCode = demoExit(await runCommand({ lab: state.labYaml, plan, out: o.out }, ['demo']));
      } finally {
        unregister();
        const down = await labDown(dir);
        process.stdout.write(
          `lab: down — stopped ${down.stopped.length} process(es), removed ${down.deleted.length} network object(s)\n`,
        );
      }
    });
}

/**
 * The demo shows a run; the verdict it prints is this machine's (a VM without KVM is rightly not qualified), so a
 * finished demo exits 0. Bad input and interruption keep their codes.
 */
function demoExit(runCode: number): number {
  return runCode === 2 || runCode === 130 ? runCode : 0;
}
