import { NOT_GATHERED_NOW, NOT_RECORDED_THEN } from './compare.ts';
import type { HostDrift } from './host-drift.ts';

const CELL_MAX = 72;

/**
 * The drift table (fact, qualified, now, class) and its notes, as text for the case log; the failure message keeps
 * only the notes that explain a change (`brief`). Pure.
 */
export function formatDriftTable(d: HostDrift, brief = false): string {
  if (d.neverQualified) return d.neverQualified;
  const head = `${d.host} compared with ${d.reference!.how} (${d.qualifiedRun})`;
  const cells = d.rows.map((r) => [r.fact, r.qualified, r.now, r.class].map(cut));
  const lines = [head];
  if (cells.length) {
    const all = [['fact', 'qualified', 'now', 'class'], ...cells];
    const w = [0, 1, 2].map((i) => Math.max(...all.map((c) => c[i]!.length)));
    for (const c of all) lines.push(`  ${c.map((x, i) => (i < 3 ? x.padEnd(w[i]!) : x)).join('  ')}`.trimEnd());
  } else lines.push('  no fact changed');
  const notes = brief ? d.notes.filter((n) => n.explains) : d.notes;
  if (notes.length) {
    lines.push('notes:');
    const byText = new Map<string, string[]>();
    for (const n of notes) byText.set(n.text, [...(byText.get(n.text) ?? []), n.fact]);
    for (const [text, facts] of byText) lines.push(`  ${facts.join(', ')}: ${text}`);
  }
  return lines.join('\n');
}

/** One line per failing class: "hypervisor: qemu.version 7.2.22 → 8.0.0; …" or "cannot verify firmware: …". */
export function driftHeadlines(d: HostDrift): string[] {
  const out: string[] = [];
  for (const cls of d.classes) {
    const changed = d.rows.filter((r) => r.class === cls && r.kind === 'changed');
    if (changed.length)
      out.push(`${cls}: ${changed.map((r) => `${r.fact} ${cut(r.qualified)} → ${cut(r.now)}`).join('; ')}`);
    for (const why of [NOT_RECORDED_THEN, NOT_GATHERED_NOW]) {
      const unknown = d.rows.filter((r) => r.class === cls && r.why === why);
      if (unknown.length) out.push(`cannot verify ${cls}: ${why} (${unknown.map((r) => r.fact).join(', ')})`);
    }
  }
  return out;
}

/** The case's failure message: what drifted, the table, and the command that re-runs what it invalidated. */
export function driftMessage(d: HostDrift): string {
  if (d.neverQualified) return d.neverQualified;
  return [
    `${d.host} is no longer what was qualified:`,
    ...driftHeadlines(d).map((l) => `- ${l}`),
    '',
    formatDriftTable(d, true),
    ...(d.rerun ? ['', `re-run the ${d.affected.length} case(s) it invalidates: ${d.rerun}`] : []),
  ].join('\n');
}

function cut(s: string): string {
  return s.length > CELL_MAX ? `${s.slice(0, CELL_MAX - 1)}…` : s;
}
