import type { RunRecord } from '../model/result.ts';
import { CASE_STATUSES } from '../model/status.ts';
import { baselineMethod } from './baseline-samples.ts';
import { SHOWN_HOSTS, type CaseGroup } from './case-groups.ts';
import { cryptoMarkdownSection } from './crypto-section.ts';
import { digestOf, type DigestOptions, type RunDigest } from './digest.ts';
import { hostConfigurations } from './host-summary.ts';
import { CellTally } from './matrix.ts';

/**
 * report.md: the same summary as report.html, for a merge request or a ticket. Host-derived text is made inert:
 * table cells escape `|`, HTML-significant characters become entities (GitLab/GitHub render inline HTML), and
 * newlines collapse, so host output cannot break the layout or inject markup. Large runs stay short: hosts grouped
 * by a label in the matrix (the hosts with failures listed, up to MD_HOST_ROWS), identical failures said once.
 */
export function mdText(value: unknown): string {
  return String(value ?? '')
    .replace(/[\r\n]+/g, ' ')
    .replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!)
    .replace(/([\\`*_[\]|#!~])/g, '\\$1');
}

const TONE = { pass: '🟢', warn: '🟠', fail: '🔴', none: '⚪' } as const;
/** Per-host matrix rows: every host up to this many, else the hosts that are not all green, up to this many. */
const MD_HOST_ROWS = 50;
const num = (n: number): string => n.toLocaleString('en-US');

function cellText(c: CellTally | undefined): string {
  if (!c) return '–';
  return `${TONE[c.tone]} ${CASE_STATUSES.filter((st) => c.counts[st])
    .map((st) => `${num(c.counts[st]!)} ${st}`)
    .join(', ')}`;
}

function groupLine(g: CaseGroup): string {
  const ev =
    g.expected !== undefined || g.actual !== undefined
      ? ` — expected ${mdText(g.expected)}, actual ${mdText(g.actual)}`
      : '';
  const waiver = g.waiver
    ? ` — waived: ${mdText(g.waiver.ticket)} ${mdText(g.waiver.reason)} (until ${mdText(g.waiver.expires)})`
    : '';
  const n = g.hosts.length;
  const hosts =
    n === 1
      ? `@${mdText(g.hosts[0])}`
      : ` on ${num(n)} hosts (${g.hosts.slice(0, SHOWN_HOSTS).map(mdText).join(', ')}` +
        `${n > SHOWN_HOSTS ? `, +${num(n - SHOWN_HOSTS)} more` : ''})`;
  const what = `${mdText(`${g.suite}/${g.label}`)}${hosts}: ${mdText(g.message ?? g.title)}`;
  return `- **${g.status}** (${g.severity}) ${what}${ev}${waiver}`;
}

function matrixLines(d: RunDigest): string[] {
  const { suites } = d.matrix;
  const label = d.hostGroups.label ?? 'hosts';
  const out = [
    `## Matrix (hosts${d.hostGroups.label ? ` by ${mdText(label)}` : ''} × suites)`,
    '',
    `| ${mdText(label)} | hosts | ${suites.map(mdText).join(' | ')} |`,
    `|---|---:|${suites.map(() => '---').join('|')}|`,
  ];
  for (const g of d.hostGroups.groups) {
    const sums = suites.map((suite) => {
      const sum = new CellTally();
      for (const h of g.hosts) {
        const cell = d.matrix.cells.get(h)?.get(suite);
        if (cell) sum.merge(cell);
      }
      return sum.total ? sum : undefined;
    });
    out.push(`| ${mdText(g.value)} | ${num(g.hosts.length)} | ${sums.map(cellText).join(' | ')} |`);
  }
  const all = d.hostNames.length <= MD_HOST_ROWS;
  const rows = all
    ? d.hostNames
    : d.hostNames.filter((h) => suites.some((s) => (d.matrix.cells.get(h)?.get(s)?.tone ?? 'pass') !== 'pass'));
  if (!rows.length) return out;
  out.push(
    '',
    all ? '### Hosts' : `### Hosts not all green (${num(rows.length)} of ${num(d.hostNames.length)})`,
    '',
    `| host | ${suites.map(mdText).join(' | ')} |`,
    `|---|${suites.map(() => '---').join('|')}|`,
  );
  for (const h of rows.slice(0, MD_HOST_ROWS))
    out.push(`| ${mdText(h)} | ${suites.map((s) => cellText(d.matrix.cells.get(h)?.get(s))).join(' | ')} |`);
  if (rows.length > MD_HOST_ROWS) out.push('', `… and ${num(rows.length - MD_HOST_ROWS)} more hosts: see report.html`);
  return out;
}

export function buildMarkdown(r: RunRecord, options: DigestOptions = {}): string {
  const d = digestOf(r, options);
  const out: string[] = [];
  const s = r.signoff;
  out.push(`# hwqual ${mdText(r.run.plan)}: **${s?.verdict ?? 'no verdict'}**`, '');
  const gap = s?.reasons.find((x) => x.startsWith('incomplete:'));
  if (gap) out.push(`> **${mdText(gap.replace(/^incomplete: /, ''))}.**`, '');
  out.push(
    CASE_STATUSES.map((st) => `${st} ${num(r.summary[st])}`).join(' · ') +
      ` — ${num(r.summary.total)} cases on ${num(r.hosts.length)} hosts, exit code ${s?.exitCode ?? ''}`,
    '',
  );
  if (s?.reasons.length) {
    out.push(...s.reasons.slice(0, 10).map((x) => `- ${mdText(x)}`));
    if (s.reasons.length > 10) out.push(`- … and ${num(s.reasons.length - 10)} more (results.json)`);
    out.push('');
  }
  out.push(...matrixLines(d));
  const groups = (n: number, list: CaseGroup[]) => (list.length < n ? ` in ${num(list.length)} groups` : '');
  out.push(
    '',
    `## Failures (${num(d.count.failing)}${groups(d.count.failing, d.failing)})`,
    '',
    ...(d.failing.length ? d.failing.map(groupLine) : ['None.']),
  );
  out.push(...cryptoMarkdownSection({ hosts: r.hosts, cases: d.crypto }, mdText));
  if (d.waived.length)
    out.push(
      '',
      `## Waived (${num(d.count.waived)}${groups(d.count.waived, d.waived)})`,
      '',
      ...d.waived.map(groupLine),
    );
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
    for (const x of b.metrics.slice(0, 50))
      out.push(
        `- ${mdText(x.caseId)} ${mdText(x.metric)}: ${x.before} → ${x.after} ` +
          `(${x.change >= 0 ? '+' : ''}${(x.change * 100).toFixed(1)} %; ${mdText(baselineMethod(x))})`,
      );
    if (b.metrics.length > 50) out.push(`- … and ${num(b.metrics.length - 50)} more figures (results.json)`);
  }
  out.push(
    '',
    '## Provenance',
    '',
    `- harness ${mdText(r.run.harnessVersion)}, commit ${mdText(r.run.gitCommit ?? 'unknown')}, ` +
      `${mdText(r.run.startedAt)} → ${mdText(r.run.endedAt)}`,
  );
  out.push(
    `- lab ${mdText(r.run.labFile)} \`${r.run.labSha256}\`, plan ${mdText(r.run.planFile)} \`${r.run.planSha256}\`` +
      (r.run.waiversSha256 ? `, waivers ${mdText(r.run.waiversFile)} \`${r.run.waiversSha256}\`` : ''),
  );
  for (const { summary: x, source, hosts } of hostConfigurations(r.hosts)) {
    const more = hosts.length > SHOWN_HOSTS ? ` and ${num(hosts.length - SHOWN_HOSTS)} more` : '';
    const names = `${hosts.slice(0, SHOWN_HOSTS).map(mdText).join(', ')}${more}`;
    const facts = [
      x.product,
      x.os,
      x.kernel && `kernel ${x.kernel}`,
      x.qemu && `QEMU ${x.qemu}`,
      x.cpu,
      x.bios && `BIOS ${x.bios}`,
    ]
      .filter(Boolean)
      .map(mdText)
      .join(', ');
    out.push(`- ${names}: ${facts}${source !== 'live' ? ` (${mdText(source)})` : ''}`);
  }
  return `${out.join('\n')}\n`;
}
