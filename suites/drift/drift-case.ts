import { driftMessage, formatDriftTable, hostDrift, loadQualified, type CaseDef } from '../../src/suite-api/index.ts';
import type { DriftSettings } from './settings.ts';

/**
 * The host's facts, gathered now by the runner (`facts: all`), against the qualified run's: a changed fact of a
 * class other than cosmetic, or one the qualified run did not record, fails the case with the table and the command
 * that re-runs the cases it invalidates. Cosmetic changes are reported and pass.
 */
export function driftCase(s: DriftSettings): CaseDef {
  return {
    id: 'drift',
    title: 'Host facts are still those of the qualified run',
    tags: ['drift'],
    readOnly: true,
    async run(ctx) {
      const q = loadQualified(s.qualified);
      const d = hostDrift(q, ctx.host, {
        rerun: s.rerun ?? { lab: '<lab.yaml>', plan: q.run.planFile },
        sharedKernelRoot: s.sharedKernel?.[ctx.host.name],
      });
      ctx.log(formatDriftTable(d));
      await ctx.artifact('drift.json', `${JSON.stringify(d, null, 2)}\n`);
      ctx.fact('drift', {
        classes: d.classes,
        affected: d.affected,
        ...(d.reference && { reference: d.reference.host }),
        ...(d.neverQualified && { neverQualified: true }),
      });
      if (d.neverQualified) return ctx.fail(d.neverQualified);
      ctx.metric('drifted_facts', d.rows.length);
      for (const r of d.rows) {
        const name = r.why ? `cannot verify ${r.class}: ${r.fact}` : `${r.class}: ${r.fact}`;
        ctx.check.ok(name, r.class === 'cosmetic', {
          expected: r.qualified,
          actual: r.now,
          message: r.why ? `${name} (${r.why})` : `${name}: ${r.qualified} → ${r.now}`,
        });
      }
      if (d.classes.length) ctx.fail(driftMessage(d));
    },
  };
}
