import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { MiB } from '../../migration/index.ts';
import { messageOf } from '../../model/errors.ts';
import { formatLocations, formatRehearsal, rehearsalResults, releaseOs, runRehearsal } from '../../rehearsal/index.ts';
import { writeFileAtomic } from '../../report/atomic.ts';
import { writeReports } from '../../report/write.ts';
import { gitCommitLater, harnessVersion } from '../../runner/meta.ts';
import { createTransport } from '../../transport/create.ts';
import { ensureImage } from '../../vm/images/builder.ts';
import { badInputExit } from '../common.ts';
import { EXIT } from '../exit-codes.ts';
import { rehearseInput, type RehearseCliOptions, type RehearseInput } from '../rehearse-input.ts';
import { hostOsThroughRunner } from '../rehearse-host-check.ts';
import { installInterruptHandler } from '../signals.ts';

export function register(program: Command): void {
  program
    .command('rehearse')
    .description(
      'rehearse a rolling host OS upgrade on a lab-in-a-box: workload guests across a pool; host by host, evacuate ' +
        'it by live migration, re-image it onto the next release, run host-os on it, move its guests back; writes ' +
        'rehearsal.json, rehearsal.md and junit.xml (one case per step)',
    )
    .requiredOption('--lab <file>', 'the lab.yaml of `hwqual lab up` (its state.json beside it: re-imaging needs it)')
    .requiredOption('--pool <name>', "the hosts labelled pool=<name> (the lab-in-a-box's: local-lab)")
    .requiredOption('--guests <n>', 'workload guests to keep running through the upgrade')
    .requiredOption('--to <release>', 'the release every host runs at the end (e.g. debian-13)')
    .requiredOption('--out <dir>', 'where rehearsal.json, rehearsal.md, junit.xml and the host-os reports go')
    .option('--memory <MiB>', 'RAM of each guest', '128')
    .option('--max-bandwidth <MiB/s>', "each migration's max-bandwidth (QEMU's default 128)")
    .option('--accel <auto|kvm|tcg>', 'accelerator of the guests (auto: KVM where every pool host can use it)', 'auto')
    .option('--keep', 'leave the guests running at the end (the report says where)')
    .action(async (o: RehearseCliOptions) => {
      process.exitCode = await rehearseCommand(o, process.argv.slice(2));
    });
}

/** `hwqual rehearse`: 2 for bad input (nothing contacted), 0 passed, 1 a step or invariant failed, 130 interrupted. */
export async function rehearseCommand(o: RehearseCliOptions, argv: string[]): Promise<number> {
  let input: RehearseInput;
  try {
    input = rehearseInput(o);
  } catch (err) {
    return badInputExit(err);
  }
  const ac = new AbortController();
  const interrupt = installInterruptHandler(ac);
  ac.signal.addEventListener('abort', () =>
    process.stderr.write('hwqual rehearse: stopping once a migration in flight settles, then locating every guest\n'),
  );
  const say = (m: string) => process.stdout.write(`${m}\n`);
  try {
    mkdirSync(input.out, { recursive: true });
    const image = await ensureImage('tiny');
    const { lab } = input;
    const report = await runRehearsal({
      labDir: input.labDir,
      labFile: input.labFile,
      pool: input.pool,
      hosts: input.hosts,
      to: input.to,
      guests: input.guests,
      guest: { memoryMiB: input.memoryMiB, wssMiB: 8, dirtyMiBps: 4 },
      accel: input.accel,
      image,
      tuning: { ...(input.maxBandwidthMiBps && { maxBandwidth: input.maxBandwidthMiBps * MiB }) },
      deadlineMs: 60_000,
      stallMs: 5000,
      cleanupWaitMs: 60_000,
      keep: input.keep,
      signal: ac.signal,
      open: async (name) => {
        const h = lab.hosts.find((x) => x.name === name)!;
        const transport = createTransport(h, lab);
        await transport.connect();
        return { name, transport, address: h.migrationAddress };
      },
      checkHosts: (names, n, run) =>
        hostOsThroughRunner({ labFile: input.labFile, out: input.out, os: releaseOs(input.to) }, names, n, run),
      log: say,
    });
    await writeFileAtomic(join(input.out, 'rehearsal.json'), `${JSON.stringify(report, null, 2)}\n`);
    await writeFileAtomic(join(input.out, 'rehearsal.md'), formatRehearsal(report));
    const results = rehearsalResults(report, {
      harnessVersion: harnessVersion(),
      gitCommit: await gitCommitLater(),
      labSha256: createHash('sha256').update(readFileSync(input.labFile)).digest('hex'),
      argv,
    });
    const written = await writeReports(input.out, results, { reporters: ['junit'] });
    for (const f of written.failures) process.stderr.write(`hwqual rehearse: ${f.reporter}: ${f.error}\n`);
    say(`rehearsal ${report.outcome} in ${(report.durationMs / 1000).toFixed(1)} s: ${input.out}/rehearsal.md`);
    if (report.stoppedBy) say(`stopped by ${report.stoppedBy}`);
    if (report.outcome !== 'passed') for (const l of formatLocations(report)) say(`  ${l}`);
    for (const i of report.invariants.filter((x) => !x.ok)) say(`  invariant does not hold: ${i.name}: ${i.detail}`);
    if (report.outcome === 'interrupted') return EXIT.interrupted;
    return report.outcome === 'passed' && !written.failures.length ? EXIT.ok : EXIT.failed;
  } catch (err) {
    process.stderr.write(`hwqual rehearse: ${messageOf(err)}\n`);
    return ac.signal.aborted ? EXIT.interrupted : EXIT.failed;
  } finally {
    interrupt.uninstall();
  }
}
