import type { CaseResult, RunResults } from '../model/result.ts';
import { CASE_STATUSES } from '../model/status.ts';
import { hostSummary } from './host-summary.ts';
import { baselineMethod } from './baseline-samples.ts';
import { buildMatrix, failuresFirst } from './matrix.ts';

/**
 * report.md: the same summary as report.html, for a merge request or a ticket. Host-derived text is made inert:
 * table cells escape `|`, HTML-significant characters become entities (GitLab/GitHub render inline HTML), and
 * newlines collapse, so host output cannot break the layout or inject markup.
 */
export function mdText(value: unknown): string {
  return String(value ?? '')
    .replace(/[\r\n]+/g, ' ')
    .replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!)
    .replace(/([\\`*_[\]|#!~])/g, '\\$1');
}

const TONE = { pass: '🟢', warn: '🟠', fail: '🔴', none: '⚪' } as const;

function caseLine(c: CaseResult): string {
  const ev =
    c.expected !== undefined || c.actual !== undefined
      ? ` — expected ${mdText(c.expected)}, actual ${mdText(c.actual)}`
      : '';
  const waiver = c.waiver
    ? ` — waived: ${mdText(c.waiver.ticket)} ${mdText(c.waiver.reason)} (until ${mdText(c.waiver.expires)})`
    : '';
  return `- **${c.status}** (${c.severity}) ${mdText(c.id)}: ${mdText(c.message ?? c.title)}${ev}${waiver}`;
}

export function buildMarkdown(r: RunResults): string {
  const out: string[] = [];
  const s = r.signoff;
  out.push(`# hwqual ${mdText(r.run.plan)}: **${s?.verdict ?? 'no verdict'}**`, '');
  const gap = s?.reasons.find((x) => x.startsWith('incomplete:'));
  if (gap) out.push(`> **${mdText(gap.replace(/^incomplete: /, ''))}.**`, '');
  out.push(
    CASE_STATUSES.map((st) => `${st} ${r.summary[st]}`).join(' · ') +
      ` — ${r.summary.total} cases, exit code ${s?.exitCode ?? ''}`,
    '',
  );
  if (s?.reasons.length) out.push(...s.reasons.slice(0, 50).map((x) => `- ${mdText(x)}`), '');
  const m = buildMatrix(r);
  out.push(
    '## Matrix',
    '',
    `| host | ${m.suites.map(mdText).join(' | ')} |`,
    `|---|${m.suites.map(() => '---').join('|')}|`,
  );
  for (const row of m.rows) {
    const cells = row.cells.map((c) =>
      c
        ? `${TONE[c.tone]} ${CASE_STATUSES.filter((st) => c.counts[st])
            .map((st) => `${c.counts[st]} ${st}`)
            .join(', ')}`
        : '–',
    );
    out.push(`| ${mdText(row.host)} | ${cells.join(' | ')} |`);
  }
  const failing = failuresFirst(r.cases);
  out.push('', `## Failures (${failing.length})`, '', ...(failing.length ? failing.map(caseLine) : ['None.']));
  const waived = r.cases.filter((c) => c.status === 'waived');
  if (waived.length) out.push('', `## Waived (${waived.length})`, '', ...waived.map(caseLine));
  if (r.waivers?.length) {
    out.push(
      '',
      '## Waivers',
      '',
      '| state | match | ticket | reason | expires | cases |',
      '|---|---|---|---|---|---|',
    );
    for (const w of r.waivers) {
      const match = Object.entries(w.match)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      out.push(
        `| ${w.state} | ${mdText(match)} | ${mdText(w.ticket)} | ${mdText(w.reason)} | ${mdText(w.expires)} | ` +
          `${w.cases.length} |`,
      );
    }
  }
  if (r.baseline) {
    const b = r.baseline;
    out.push('', `## Since the baseline (${mdText(b.file)})`, '');
    for (const [title, ids] of [
      ['New failures', b.newFailures],
      ['Fixed', b.fixed],
      ['Still failing', b.stillFailing],
      ['Added', b.added],
      ['Removed', b.removed],
    ] as const) {
      const shown = `${ids.slice(0, 30).map(mdText).join(', ')}${ids.length > 30 ? ', …' : ''}`;
      out.push(`- ${title} (${ids.length})${ids.length ? `: ${shown}` : ''}`);
    }
    for (const x of b.metrics)
      out.push(
        `- ${mdText(x.caseId)} ${mdText(x.metric)}: ${x.before} → ${x.after} ` +
          `(${x.change >= 0 ? '+' : ''}${(x.change * 100).toFixed(1)} %; ${mdText(baselineMethod(x))})`,
      );
  }
  out.push(
    '',
    '## Provenance',
    '',
    `- harness ${mdText(r.run.harnessVersion)}, commit ${mdText(r.run.gitCommit ?? 'unknown')}, ` +
      `${mdText(r.run.startedAt)} → ${mdText(r.run.endedAt)}`,
  );
  const waivers = r.run.waiversSha256 ? `, waivers ${mdText(r.run.waiversFile)} \`${r.run.waiversSha256}\`` : '';
  out.push(
    `- lab ${mdText(r.run.labFile)} \`${r.run.labSha256}\`, ` +
      `plan ${mdText(r.run.planFile)} \`${r.run.planSha256}\`${waivers}`,
  );
  for (const h of r.hosts) {
    const x = hostSummary(h);
    const what = [
      x.product,
      x.os,
      x.kernel && `kernel ${x.kernel}`,
      x.qemu && `QEMU ${x.qemu}`,
      x.cpu,
      x.bios && `BIOS ${x.bios}`,
      !h.replay && x.access,
    ];
    const replay = h.replay ? ` (replayed from ${mdText(h.replay.from)})` : '';
    out.push(`- ${mdText(h.name)}: ${what.filter(Boolean).map(mdText).join(', ')}${replay}`);
  }
  return `${out.join('\n')}\n`;
}
