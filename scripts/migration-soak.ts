// Soak test of live migration on a 2-host lab-in-a-box: the same migration many times, optionally with busy
// loops competing for the CPUs, counting the hops whose guest did not survive intact, with each failure's
// diagnosis. This is how the TCG dirty-sync defect of QEMU < 9.0 was measured (README, "TCG and QEMU before 9.0").
//
//   npm run migration:soak -- [--strategy xbzrle,auto-converge] [--runs 20] [--memory 128] [--load 2] [--no-pad]
//
// --no-pad runs without hwqual's RAM padding under TCG, to see the defect on a QEMU that has it.
// Exit 0 when every hop passed, 1 otherwise. The lab, its sshds and every QEMU are gone at the end, also on Ctrl-C.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { labDown, labUp } from '../src/lab/index.ts';
import { messageOf } from '../src/model/errors.ts';
import { ensureImage } from '../src/vm/images/builder.ts';
import { openLabEndpoints } from '../src/cli/lab-endpoints.ts';
import { installInterruptHandler } from '../src/cli/signals.ts';
import { registerEmergencyCleanup } from '../src/util/emergency.ts';
import { hopPassed, MiB, type MigrationRequest, runMigration, type Strategy } from '../src/migration/index.ts';

const o = new Command('migration-soak')
  .option('--strategy <list>', 'strategies, comma-separated', 'xbzrle')
  .option('--runs <n>', 'migrations per strategy', (v) => Number(v), 20)
  .option('--memory <MiB>', 'guest RAM', (v) => Number(v), 128)
  .option('--load <n>', 'busy loops competing for the CPUs while it runs', (v) => Number(v), 2)
  .option('--no-pad', 'no RAM padding under TCG (shows the QEMU < 9.0 dirty-sync defect)')
  .parse()
  .opts<{ strategy: string; runs: number; memory: number; load: number; pad: boolean }>();
const SOAKABLE = ['precopy', 'xbzrle', 'multifd', 'auto-converge'];
const strategies = o.strategy.split(',').map((x) => x.trim()) as Strategy[];
const unknown = strategies.filter((x) => !SOAKABLE.includes(x));
if (unknown.length) {
  console.error(`--strategy: unknown ${unknown.join(', ')} (one of ${SOAKABLE.join(', ')})`);
  process.exit(2);
}
for (const [name, v, min] of [
  ['--runs', o.runs, 1],
  ['--memory', o.memory, 64],
  ['--load', o.load, 0],
] as const) {
  if (!(Number.isInteger(v) && v >= min)) {
    console.error(`${name}: an integer >= ${min}, got ${v}`);
    process.exit(2);
  }
}
if (!o.pad) process.env.HWQUAL_TCG_MIGRATION_PAD_KIB = '0';

// The same two guests as test/integration/migration-strategies.test.ts: a warm one and, for auto-converge, a hot one.
function request(
  strategy: Strategy,
  a: MigrationRequest['source'],
  b: MigrationRequest['destination'],
  image: MigrationRequest['image'],
): MigrationRequest {
  return strategy === 'auto-converge'
    ? {
        source: a,
        destination: b,
        image,
        strategy,
        guest: { accel: 'tcg', memoryMiB: o.memory, wssMiB: 24, dirtyMiBps: 48 },
        deadlineMs: 40_000,
        tuning: { maxBandwidth: 10 * MiB, cpuThrottleInitial: 99, throttleTriggerThreshold: 10 },
      }
    : {
        source: a,
        destination: b,
        image,
        strategy,
        guest: { accel: 'tcg', memoryMiB: o.memory, wssMiB: 16, dirtyMiBps: 8 },
        deadlineMs: 60_000,
        tuning: { maxBandwidth: 32 * MiB, downtimeLimitMs: 50, xbzrleCacheBytes: 16 * MiB, multifdChannels: 3 },
      };
}

const root = mkdtempSync('/tmp/hwq-soak-');
const hogs: ChildProcess[] = [];
const stop = new AbortController();
// hwqual's SIGINT policy: the first one stops after the running migration (tally printed, lab down); a second one
// (tsx may relay the first Ctrl-C once more) runs the emergency path, which takes the lab and the busy loops too.
const interrupt = installInterruptHandler(stop);
const unregister = registerEmergencyCleanup(() => {
  for (const h of hogs) h.kill('SIGKILL');
  return labDown(join(root, 'lab'));
});
let failed = 0;
try {
  const image = await ensureImage('tiny');
  const state = await labUp({ dir: join(root, 'lab'), hosts: 2 });
  const lab = await openLabEndpoints(state.labYaml);
  const [a, b] = lab.ends;
  for (let i = 0; i < o.load; i++) hogs.push(spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }));
  try {
    const tally = new Map<string, { runs: number; failed: number }>();
    for (let run = 1; run <= o.runs && !stop.signal.aborted; run++) {
      for (const strategy of strategies) {
        if (stop.signal.aborted) break;
        const t0 = Date.now();
        const t = tally.get(strategy) ?? { runs: 0, failed: 0 };
        tally.set(strategy, t);
        let line: string;
        let ok: boolean;
        try {
          const hop = (await runMigration({ ...request(strategy, a, b, image), signal: stop.signal })).hops[0];
          const bad = hop.checks.filter((c) => !c.ok);
          // A hop that ends as diagnosed (e.g. not-converging with the guest intact on A) is a pass here.
          ok = !bad.length && (hopPassed(hop) || hop.outcome === 'not-converging');
          line =
            `${hop.outcome}, ${hop.passes.length} passes` +
            (bad.length ? `\n  ${bad.map((c) => `${c.name}: ${c.detail}`).join('\n  ')}` : '');
        } catch (err) {
          if (stop.signal.aborted) break;
          ok = false;
          line = `error: ${messageOf(err)}`;
        }
        t.runs++;
        if (!ok) {
          t.failed++;
          failed++;
        }
        console.log(`${run} ${strategy} (${Date.now() - t0} ms): ${line}`);
      }
    }
    if (stop.signal.aborted) console.log('\ninterrupted: the tally so far');
    console.log(
      `\npadding ${o.pad ? 'on' : 'off'}, ${o.memory} MiB, ` +
        `load ${o.load}: ${[...tally].map(([s, t]) => `${s} ${t.failed}/${t.runs} failed`).join(', ')}`,
    );
  } finally {
    for (const h of hogs) h.kill('SIGKILL');
    await lab.close();
  }
} finally {
  unregister();
  interrupt.uninstall();
  await labDown(join(root, 'lab')).catch(() => {});
  rmSync(root, { recursive: true, force: true });
}
process.exit(stop.signal.aborted ? 130 : failed ? 1 : 0);
