import type { PoolBaseline } from '../../src/suite-api/parsers.ts';

const pad = (s: string, n: number) => s.padEnd(n);

function modelLine(b: PoolBaseline): string {
  if (!b.model) return `baseline CPU model: none — ${[...b.problems, ...b.missing].join('; ')}`;
  const how = b.expansionFrom
    ? `${b.modelFeatures} features; expansion from ${b.expansionFrom}`
    : 'no static expansion describes it';
  return `baseline CPU model: ${b.model} (${b.vendor} models only; ${how})`;
}

function extrasLine(b: PoolBaseline): string[] {
  if (!b.model) return [];
  const extras = b.extraFeatures
    ? b.extraFeatures.length
      ? b.extraFeatures.join(' ')
      : 'none'
    : `unknown: ${b.extraFeaturesUnknown}`;
  return [
    `features every host has beyond it: ${extras}`,
    `recommended CPU model config: ${b.recommendation ?? b.model}`,
  ];
}

/** The pool baseline as a text table for the case's artifact and log. */
export function formatPoolTable(name: string, b: PoolBaseline, formed?: string): string {
  const out = [`CPU pool ${name}: ${b.hosts.join(', ')}${formed ? ` (formed ${formed})` : ''}`];
  out.push(modelLine(b), ...extrasLine(b));
  out.push(`machine type: ${b.machineNote}`);
  const w = Math.max(4, ...b.rows.map((r) => r.host.length));
  out.push(
    '',
    `${pad('host', w)}  ${pad('qemu', 12)}  usable  ${pad('best model', 29)}  ${pad('newest q35', 13)}  ` +
      `${pad('newest i440fx', 15)}  loses under the baseline`,
  );
  for (const r of b.rows) {
    const lost = r.lost.length ? r.lost.join(' ') : '-';
    const q35 = r.newestQ35 ?? 'not recorded';
    const i440fx = r.newestI440fx ?? 'not recorded';
    out.push(
      `${pad(r.host, w)}  ${pad(r.qemuVersion, 12)}  ${pad(String(r.usableModels), 6)}  ` +
        `${pad(r.bestModel ?? '-', 29)}  ${pad(q35, 13)}  ${pad(i440fx, 15)}  ${lost}`,
    );
  }
  if (b.unranked.length) out.push('', `usable everywhere but not ranked (no expansion): ${b.unranked.join(', ')}`);
  for (const r of b.rows.filter((x) => x.unranked?.length))
    out.push(`${r.host}: usable but not ranked (no expansion; it may lose more): ${r.unranked!.join(', ')}`);
  if (b.dominated.length)
    out.push('', `usable everywhere, never chosen (a strict subset of another candidate): ${b.dominated.join(', ')}`);
  for (const d of b.deprecatedMachines) out.push('', `DEPRECATED ${d.machine}: by ${d.deprecatedOn.join(', ')}`);
  for (const g of b.regressions)
    out.push('', `REGRESSION ${g.model}: usable on ${g.usableOn}, not on ${g.unusableOn}: ${g.blocking.join(' ')}`);
  return `${out.join('\n')}\n`;
}
