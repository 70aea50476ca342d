import type { RunRecord } from '../model/result.ts';
import type { CaseStatus } from '../model/status.ts';
import { CASE_STATUSES } from '../model/status.ts';
import { baselineMethod } from './baseline-samples.ts';
import type { RunDigest } from './digest.ts';
import { esc } from './html-escape.ts';
import { num } from './html-matrix.ts';
import { hostConfigurations } from './host-summary.ts';
import { barChart, caseChart } from './svg-chart.ts';
import { isCaseReason, STATUS_TABLE, VERDICT_TABLE, VERDICTS } from './verdict.ts';

/** Reasons the verdict section lists before collapsing the rest; at most MAX_REASONS in the page. */
const FIRST_REASONS = 5;
const MAX_REASONS = 200;
/** Hosts a provenance row names before collapsing the rest. */
const NAMED_HOSTS = 10;

/**
 * The sections of report.html, each a function of the results (and the digest of their cases, digest.ts) returning
 * HTML in which every value went through esc().
 */

/** Table cells, each value escaped; a row of them; a header row of constant names. */
const tds = (values: readonly unknown[]) => values.map((v) => `<td>${esc(v)}</td>`).join('');
const tdRow = (values: readonly unknown[]) => `<tr>${tds(values)}</tr>`;
const thead = (names: readonly string[]) => `<thead><tr>${names.map((n) => `<th>${n}</th>`).join('')}</tr></thead>`;

export function verdictSection(r: RunRecord): string {
  const s = r.signoff;
  const verdict = s?.verdict ?? 'not-qualified';
  const reasons = s?.reasons.length ? reasonsHtml(s.reasons.filter((x) => !x.startsWith('incomplete:'))) : '';
  const gap = s?.reasons.find((x) => x.startsWith('incomplete:'));
  const coverage = gap
    ? `<p class="coverage"><b>${esc(gap.replace(/^incomplete: /, ''))}.</b></p>`
    : s?.coverage
      ? `<p class="coverage">All ${num(s.coverage.planned)} planned cases ran.</p>`
      : '';
  const counts = CASE_STATUSES.map(
    (st) => `<span class="count st-${st}">${esc(st)} <b>${num(r.summary[st])}</b></span>`,
  ).join(' ');
  return (
    `<section id="verdict" class="verdict v-${esc(verdict)}">` +
    `<h1>Verdict: <span data-verdict="${esc(verdict)}">${esc(verdict)}</span></h1>` +
    `<p>Plan <b>${esc(r.run.plan)}</b>, ${num(r.summary.total)} cases on ${num(r.hosts.length)} hosts; ` +
    `exit code ${esc(s?.exitCode ?? '')}${s ? `, waivers judged at ${esc(s.judgedAt)}` : ''}.</p>` +
    `${coverage}<p>${counts}</p>${reasons}</section>`
  );
}

/**
 * Why the verdict is what it is, said once: the reasons about the run (interrupted, a planned cell that did not
 * run) in full, the cases' own reasons as a count pointing at the grouped failures — a run with 20,000 failures has
 * 20,000 such lines; the page lists the first MAX_REASONS, collapsed, and results.json keeps them all.
 */
function reasonsHtml(reasons: readonly string[]): string {
  const li = (x: string) => `<li>${esc(x)}</li>`;
  const cases = reasons.filter(isCaseReason);
  const run = reasons.filter((x) => !isCaseReason(x));
  const items = run.slice(0, FIRST_REASONS).map(li);
  if (run.length > FIRST_REASONS)
    items.push(`<li>… and ${num(run.length - FIRST_REASONS)} more under "every reason"</li>`);
  if (cases.length)
    items.push(
      `<li>${num(cases.length)} case${cases.length === 1 ? '' : 's'} failed, errored, were cancelled or waived: ` +
        '<a href="#failures">grouped under Failures</a></li>',
    );
  const listed = reasons.slice(0, MAX_REASONS);
  const rest =
    reasons.length > MAX_REASONS
      ? `<li>… and ${num(reasons.length - MAX_REASONS)} more: every reason is in results.json (signoff.reasons)</li>`
      : '';
  const more =
    `<details class="reasons"><summary>every reason (${num(reasons.length)})</summary><ul>${listed.map(li).join('')}` +
    `${rest}</ul></details>`;
  return `<ul class="reasons">${items.join('')}</ul>${reasons.length > 1 || cases.length ? more : ''}`;
}

/** Case ids, the first 20 then how many more (all of them are in results.json). */
function idList(ids: readonly string[]): string {
  const shown = ids.slice(0, 20).map((c) => esc(c));
  if (ids.length > 20) shown.push(`… and ${num(ids.length - 20)} more (results.json)`);
  return shown.join('<br>');
}

export function waiversSection(r: RunRecord): string {
  if (!r.waivers?.length) {
    const inFile = r.run.waiversFile ? ` in ${esc(r.run.waiversFile)}` : '';
    return `<section id="waivers"><h2>Waivers</h2><p>No waivers${inFile}.</p></section>`;
  }
  const rows = r.waivers.map((w) => {
    const match = Object.entries(w.match)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    return (
      `<tr class="w-${w.state}"><td>${esc(w.state)}</td>` +
      `<td><code>${esc(match)}</code>${w.errors ? ' (errors too)' : ''}</td>${tds([w.ticket, w.reason, w.expires])}` +
      `<td>${idList(w.cases)}</td></tr>`
    );
  });
  const head = thead(['state', 'match', 'ticket', 'reason', 'expires', 'cases']);
  return `<section id="waivers"><h2>Waivers</h2><table>${head}<tbody>${rows.join('')}</tbody></table></section>`;
}

export function baselineSection(r: RunRecord): string {
  const b = r.baseline;
  if (!b) return '<section id="baseline"><h2>Since the baseline</h2><p>No baseline given.</p></section>';
  const group = (title: string, ids: string[]) =>
    `<h3>${esc(title)} (${num(ids.length)})</h3>${ids.length ? `<p>${idList(ids)}</p>` : ''}`;
  const change = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;
  const metrics = b.metrics.map((m) =>
    tdRow([m.caseId, m.metric, m.before, m.after, change(m.change), baselineMethod(m)]),
  );
  const head = thead(['case', 'figure', 'before', 'after', 'change', 'rule']);
  const verdict = b.baselineVerdict ? `, verdict ${esc(b.baselineVerdict)}` : '';
  return (
    '<section id="baseline"><h2>Since the baseline</h2>' +
    `<p>Baseline ${esc(b.file)} (started ${esc(b.baselineStartedAt)}${verdict}).</p>` +
    `${group('New failures', b.newFailures)}${group('Fixed', b.fixed)}${group('Still failing', b.stillFailing)}` +
    `${group('Added', b.added)}${group('Removed', b.removed)}` +
    `<h3>Figures that moved more than ${esc((b.threshold * 100).toFixed(0))} % (${b.metrics.length})</h3>` +
    `${metrics.length ? `<table>${head}<tbody>${metrics.join('')}</tbody></table>` : ''}</section>`
  );
}

const TONE: Record<CaseStatus, 'pass' | 'warn' | 'fail' | 'none'> = {
  passed: 'pass',
  flaky: 'warn',
  waived: 'warn',
  skipped: 'none',
  failed: 'fail',
  error: 'fail',
  cancelled: 'fail',
};

export function chartsSection(_r: RunRecord, d: RunDigest): string {
  const charts = d.slowest.length
    ? [
        barChart(
          'Slowest cases (seconds)',
          d.slowest.map((c) => ({ label: c.id, value: c.durationMs / 1000, tone: TONE[c.status] })),
          's',
        ),
      ]
    : [];
  for (const { metric, bars } of d.metrics) charts.push(barChart(metric, bars, ''));
  return `<section id="charts"><h2>Charts</h2>${charts.join('') || '<p>No cases.</p>'}</section>`;
}

/**
 * The cases' own charts (CaseResult.charts, e.g. a live migration's remaining/dirty rate/throughput per pass), inline.
 */
export function caseChartsSection(_r: RunRecord, d: RunDigest): string {
  if (!d.caseCharts.length) return '';
  const blocks = d.caseCharts.map(
    (c) =>
      `<article class="case st-${c.status}" data-case="${esc(c.id)}">` +
      `<h3><span class="badge st-${c.status}">${esc(c.status)}</span> ${esc(c.id)}</h3>` +
      `${c.charts.map(caseChart).join('')}</article>`,
  );
  return `<section id="case-charts"><h2>Case charts</h2>${blocks.join('')}</section>`;
}

export function provenanceSection(r: RunRecord): string {
  const run = r.run;
  const rows: Array<[string, unknown]> = [
    ['harness version', run.harnessVersion],
    ['git commit', run.gitCommit ?? 'unknown'],
    ['started', run.startedAt],
    ['ended', run.endedAt],
    ['lab', `${run.labFile} sha256:${run.labSha256}`],
    ['plan', `${run.planFile} sha256:${run.planSha256}`],
    ['waivers', run.waiversFile ? `${run.waiversFile} sha256:${run.waiversSha256 ?? ''}` : 'none'],
    ['interrupted', run.interrupted ? 'yes' : 'no'],
    ['command', run.argv.join(' ')],
  ];
  if (run.mergedFrom)
    rows.push([
      'merged from',
      run.mergedFrom.map((m) => `${m.dir} (${m.shard ? `${m.shard.index}/${m.shard.total}` : ''})`).join(', '),
    ]);
  // Hosts of one configuration (hardware, OS, kernel, QEMU, CPU, BIOS, labels, source) share a row.
  const hosts = hostConfigurations(r.hosts).map(({ summary: s, labels, source, hosts: names }) => {
    const named = names
      .slice(0, NAMED_HOSTS)
      .map((n) => esc(n))
      .join(' ');
    const rest = names
      .slice(NAMED_HOSTS)
      .map((n) => esc(n))
      .join(' ');
    const more =
      names.length > NAMED_HOSTS
        ? ` <details class="more-hosts"><summary>and ${num(names.length - NAMED_HOSTS)} more</summary>` +
          `<p class="hosts">${rest}</p></details>`
        : '';
    return (
      `<tr><td>${named}${more}</td><td class="n">${num(names.length)}</td>` +
      `${tds([s.product, s.os, s.kernel, s.qemu, s.cpu, s.bios, labels, source])}</tr>`
    );
  });
  const facts = rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td><code>${esc(v)}</code></td></tr>`).join('');
  const head = thead(['hosts', '#', 'hardware', 'OS', 'kernel', 'QEMU', 'CPU', 'BIOS', 'labels', 'source']);
  return (
    `<section id="provenance"><h2>Provenance</h2><table>${facts}</table>` +
    `<table class="hosts-config">${head}<tbody>${hosts.join('')}</tbody></table></section>`
  );
}

export function legendSection(): string {
  const rows = CASE_STATUSES.map((st) => {
    const t = STATUS_TABLE[st];
    return `<tr><td class="st-${st}">${esc(st)}</td>${tds([t.junitNote, t.effect, t.meaning])}</tr>`;
  });
  const verdicts = VERDICTS.map(
    (v) => `<tr><td class="v-${esc(v)}">${esc(v)}</td>${tds([VERDICT_TABLE[v].exit, VERDICT_TABLE[v].meaning])}</tr>`,
  );
  return (
    `<section id="legend"><h2>Verdicts</h2><table>${thead(['verdict', 'exit code', 'meaning'])}` +
    `<tbody>${verdicts.join('')}</tbody></table>` +
    `<h2>Statuses</h2><table>${thead(['status', 'JUnit', 'verdict effect', 'meaning'])}` +
    `<tbody>${rows.join('')}</tbody></table></section>`
  );
}
