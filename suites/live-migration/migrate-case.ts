import { HwqualError, type CaseContext, type CaseDef, type Sample } from '../../src/suite-api/index.ts';
import { ensureImage } from '../../src/suite-api/vm.ts';
import { MiB, runMigration, type MachineChoice, type MigrationRun } from '../../src/suite-api/migration.ts';
import { passCharts } from './chart.ts';
import { NAMED_HOP_METRICS, snakeCase } from './metric-names.ts';
import { migrationPool, resolvePoolGuest, type CpuModelChoice } from './cpu-model.ts';
import { DISK_STAMP, prepareDataDisk } from './data-disk.ts';
import { faultFor } from './fault-settings.ts';
import { gatesFor } from './gates.ts';
import { checkGates, runSamples, stripCharts, summaryMetrics } from './repeat-figures.ts';
import { pairEnds } from './pair.ts';
import { tuningOf, type MigrationSettings } from './settings.ts';

/** One case per pair and strategy: boot the workload guest on `from`, migrate to `to` (and back: ping-pong). */
export function migrateCase(
  s: MigrationSettings,
  from: string,
  to: string,
  strategy: MigrationSettings['strategies'][number],
): CaseDef {
  return {
    id: 'migrate',
    title:
      `Live migration ${from} → ${to} (${strategy}${s.hops > 1 ? `, ping-pong ×${s.hops}` : ''}` +
      `${s.driver === 'libvirt' ? ', libvirt' : ''}${s.repeat > 1 ? `, ×${s.repeat} runs` : ''})`,
    params: { from, to, strategy },
    alsoLocks: [to],
    tags: ['migration', strategy],
    // Each hop: its deadline plus boot/verify; a silent host's cleanup wait; a fault adds the post-copy recovery's
    // waits.
    timeoutSec:
      s.repeat * (s.hops * (s.deadlineSec + 120) + 60 + s.cleanupWaitSec) +
      (s.fault ? s.fault.downForSec + s.recovery.linkWaitSec + s.recovery.resumeTimeoutSec : 0),
    async run(ctx) {
      const { source, destination, accel } = await pairEnds(ctx, s, to);
      const image = await ensureImage('tiny');
      const pool = migrationPool(
        s.pairs,
        (ctx.plan.hosts ?? []).map((h) => h.name),
      );
      // Shared storage is checked (Nova's way) before any guest boots; an encrypted disk gets each host's own key.
      const disk = s.disk && (await prepareDataDisk(ctx, s, source, destination));
      const { cpu, machine } = await resolvePoolGuest(ctx, s, pool, accel);
      ctx.log(`CPU model ${cpu.model} (${cpu.source}${cpu.reason ? `: ${cpu.reason}` : ''})`);
      ctx.fact('migration.cpuModel', cpu);
      if ('none' in machine) return ctx.fail(`${machine.none}: no guest can migrate between them`);
      ctx.log(`machine type ${machine.machine} (${machine.source}${machine.reason ? `: ${machine.reason}` : ''})`);
      ctx.fact('migration.machine', machine);
      const gates = gatesFor(s.gates, s.gatesByStrategy, strategy);
      const samples: Record<string, Sample[]> = {};
      for (let r = 1; r <= s.repeat; r++) {
        if (s.repeat > 1) ctx.log(`run ${r} of ${s.repeat}`);
        const run = await runMigration({
          source,
          destination,
          image,
          strategy,
          hops: s.hops,
          signal: ctx.signal,
          driver: s.driver,
          log: (m) => ctx.log(m),
          guest: { accel, cpu: cpu.model, machine: machine.machine, ...s.guest, ...(disk && { dataDisk: disk.disk }) },
          ...(disk && { duringMigration: (hop) => disk.psChecks(hop) }),
          tuning: tuningOf(s),
          postcopyAfterPass: s.postcopyAfterPass,
          deadlineMs: s.deadlineSec * 1000,
          stallMs: s.stallSec * 1000,
          nova: s.nova,
          postcopyBandwidth: s.postcopyBandwidthMiBps && s.postcopyBandwidthMiBps * MiB,
          recovery: { linkWaitMs: s.recovery.linkWaitSec * 1000, resumeTimeoutMs: s.recovery.resumeTimeoutSec * 1000 },
          cleanupWaitMs: s.cleanupWaitSec * 1000,
          defer: (fn) => ctx.defer(fn),
          ...(s.fault && r === 1 && { fault: faultFor(s.fault, to) }),
        });
        if (r === 1) await record(ctx, run, cpu, machine);
        else await ctx.artifact(`migration-run${r}.json`, `${JSON.stringify(run, null, 2)}\n`);
        for (const [figure, sample] of runSamples(run, r)) {
          (samples[figure] ??= []).push(sample);
          ctx.sample?.(figure, sample);
        }
        // A run that did not complete ends the case as a single migration would; its gates are not judged.
        const tag = s.repeat > 1 ? `run ${r}: ` : '';
        const done =
          s.repeat > 1
            ? ` (${r - 1} of ${s.repeat} ${s.hops > 1 ? 'runs' : 'migrations'} completed; gates not judged)`
            : '';
        if (disk?.disk.keyFiles)
          ctx.check.equal(
            `${tag}stamps in the clear in the encrypted disk file (grep -c ${DISK_STAMP})`,
            await disk.clearText(),
            0,
          );
        for (const hop of run.hops) {
          for (const c of hop.checks)
            ctx.check.ok(`${tag}${hop.from}→${hop.to}: ${c.name}`, c.ok, { message: c.detail });
          if (hop.outcome === 'stalled')
            throw new HwqualError('E_VM', `${tag}${hop.from} → ${hop.to}: ${hop.diagnosis}${done}`);
          // Completed, but QEMU's final figures could not be read: the harness's error, never a pass without them.
          if (hop.notReported?.length)
            throw new HwqualError('E_VM', `${tag}${hop.from} → ${hop.to}: completed, but ${hop.figuresNote}${done}`);
          if (hop.outcome !== 'completed')
            ctx.fail(
              `${tag}${hop.from} → ${hop.to}: ${hop.outcome}:` +
                ` ${hop.diagnosis ?? 'no diagnosis'}${hop.fault ? ` (${hop.fault})` : ''}${done}`,
            );
        }
      }
      if (s.repeat > 1) for (const [k, v] of Object.entries(summaryMetrics(samples, from))) ctx.metric(k, v);
      checkGates(ctx, gates, samples);
      for (const c of stripCharts(gates, samples, s.repeat > 1)) ctx.chart?.(c);
    },
  };
}

/**
 * Metrics (→ results.json and JUnit properties), the pass charts (data → drawn by the HTML report), the full record.
 */
async function record(ctx: CaseContext, run: MigrationRun, cpu: CpuModelChoice, machine: MachineChoice): Promise<void> {
  const first = run.hops[0];
  ctx.metric('dirty_rate_measured_mibps', run.dirtyRateMiBps);
  ctx.metric('predicted_converges', run.prediction.converges ? 1 : 0);
  if (run.prediction.totalMs !== null) ctx.metric('predicted_total_ms', run.prediction.totalMs);
  ctx.metric('predicted_downtime_ms', run.prediction.downtimeMs);
  if (first?.predictionError !== undefined) ctx.metric('prediction_error_total', first.predictionError);
  run.hops.forEach((h, i) => {
    const p = run.hops.length > 1 ? `hop${i + 1}_` : '';
    const m = h.metrics;
    const put = (k: string, v: number | undefined) => {
      if (v !== undefined && Number.isFinite(v)) ctx.metric(`${p}${k}`, v);
    };
    put('total_ms', m.totalMs);
    put('setup_ms', m.setupMs);
    put('downtime_ms', m.downtimeMs);
    put('blackout_ms', m.blackoutMs);
    put('blackout_resolution_ms', m.blackoutResolutionMs);
    put('transferred_bytes', m.transferredBytes);
    put('passes', m.passes);
    put('throttle_pct', m.throttlePct);
    for (const [k, v] of Object.entries(m)) if (!NAMED_HOP_METRICS.has(k)) put(snakeCase(k), v);
    for (const c of passCharts(h)) ctx.chart?.(c);
  });
  if (first?.nova) ctx.fact(`migration.nova.${first.from}->${first.to}`, first.nova.predicted.message);
  if (first?.nova?.executed) ctx.fact(`migration.novaExecuted.${first.from}->${first.to}`, first.nova.executed.message);
  await ctx.artifact('migration.json', `${JSON.stringify({ cpuModel: cpu, machine, ...run }, null, 2)}\n`);
}
