import type { PoolBaseline } from '../../src/suite-api/parsers.ts';

/** The pool baseline as a text table for the case's artifact and log. */
export function formatPoolTable(name: string, b: PoolBaseline): string {
  const out = [`CPU pool ${name}: ${b.hosts.join(', ')}`];
  const described = b.expansionFrom
    ? `${b.modelFeatures} features; expansion from ${b.expansionFrom}`
    : 'no static expansion describes it';
  out.push(`baseline CPU model: ${b.model ? `${b.model} (${described})` : `none — ${b.problems.join('; ')}`}`);
  out.push(`machine type: ${b.machineNote}`);
  const w = Math.max(4, ...b.rows.map((r) => r.host.length));
  out.push(
    '',
    `${'host'.padEnd(w)}  qemu          best model                     newest q35     loses under the baseline`,
  );
  for (const r of b.rows) {
    out.push(
      `${r.host.padEnd(w)}  ${r.qemuVersion.padEnd(12)}  ${(r.bestModel ?? '-').padEnd(29)} ` +
        ` ${(r.newestQ35 ?? 'not recorded').padEnd(13)} ` +
        ` ${r.lostUnknown ? `unknown: ${r.lostUnknown}` : r.lost.length ? r.lost.join(' ') : '-'}`,
    );
  }
  if (b.unranked.length) out.push('', `usable everywhere but not ranked (no expansion): ${b.unranked.join(', ')}`);
  for (const g of b.regressions)
    out.push('', `REGRESSION ${g.model}: usable on ${g.usableOn}, not on ${g.unusableOn}: ${g.blocking.join(' ')}`);
  return `${out.join('\n')}\n`;
}
