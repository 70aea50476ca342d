import type { CaseResult, RunResults } from '../model/result.ts';
import { CASE_STATUSES } from '../model/status.ts';
import { esc, href } from './html-escape.ts';
import { baselineMethod } from './baseline-samples.ts';
import { hostSummary } from './host-summary.ts';
import { buildMatrix, failuresFirst } from './matrix.ts';
import { barChart, caseChart } from './svg-chart.ts';
import { STATUS_TABLE, VERDICT_TABLE, VERDICTS } from './verdict.ts';

/**
 * The sections of report.html, each a function of RunResults returning HTML in which every value went through esc().
 */

/** Table cells, each value escaped; a row of them; a header row of constant names. */
const tds = (values: readonly unknown[]) => values.map((v) => `<td>${esc(v)}</td>`).join('');
const tdRow = (values: readonly unknown[]) => `<tr>${tds(values)}</tr>`;
const thead = (names: readonly string[]) => `<thead><tr>${names.map((n) => `<th>${n}</th>`).join('')}</tr></thead>`;

export function verdictSection(r: RunResults): string {
  const s = r.signoff;
  const verdict = s?.verdict ?? 'not-qualified';
  const reasons = s?.reasons.length
    ? `<ul class="reasons">${s.reasons.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>`
    : '';
  const gap = s?.reasons.find((x) => x.startsWith('incomplete:'));
  const coverage = gap
    ? `<p class="coverage"><b>${esc(gap.replace(/^incomplete: /, ''))}.</b></p>`
    : s?.coverage
      ? `<p class="coverage">All ${esc(s.coverage.planned)} planned cases ran.</p>`
      : '';
  const counts = CASE_STATUSES.map(
    (st) => `<span class="count st-${st}">${esc(st)} <b>${r.summary[st]}</b></span>`,
  ).join(' ');
  return (
    `<section id="verdict" class="verdict v-${esc(verdict)}">` +
    `<h1>Verdict: <span data-verdict="${esc(verdict)}">${esc(verdict)}</span></h1>` +
    `<p>Plan <b>${esc(r.run.plan)}</b>, ${r.summary.total} cases on ${r.hosts.length} hosts; ` +
    `exit code ${esc(s?.exitCode ?? '')}${s ? `, waivers judged at ${esc(s.judgedAt)}` : ''}.</p>` +
    `${coverage}<p>${counts}</p>${reasons}</section>`
  );
}

export function matrixSection(r: RunResults): string {
  const m = buildMatrix(r);
  const head = m.suites.map((s) => `<th>${esc(s)}</th>`).join('');
  const rows = m.rows.map((row) => {
    const h = hostSummary(row.hostInfo);
    const sub = [h.product, h.os].filter(Boolean).join(' · ');
    const cells = row.cells.map((cell) => {
      if (!cell) return '<td class="cell tone-none">–</td>';
      const parts = CASE_STATUSES.filter((st) => cell.counts[st]).map(
        (st) => `<span class="st-${st}">${cell.counts[st]} ${esc(st)}</span>`,
      );
      return `<td class="cell tone-${cell.tone}">${parts.join('<br>')}</td>`;
    });
    return `<tr><th class="host">${esc(row.host)}<small>${esc(sub)}</small></th>${cells.join('')}</tr>`;
  });
  return (
    '<section id="matrix"><h2>Matrix (hosts × suites)</h2><table class="matrix">' +
    `<thead><tr><th>host</th>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></section>`
  );
}

function links(c: CaseResult): string {
  const items = c.artifacts.map(
    (a) => `<a href="${href(a.path)}">${esc(a.name)}</a> <small>(${esc(a.bytes)} B)</small>`,
  );
  if (c.transcript) items.unshift(`<a href="${href(c.transcript)}">transcript</a>`);
  return items.length ? `<p class="links">${items.join(' · ')}</p>` : '';
}

function caseBlock(c: CaseResult): string {
  const ev =
    c.expected !== undefined || c.actual !== undefined
      ? `<table class="ev"><tr><th>expected</th><td><pre>${esc(c.expected)}</pre></td></tr>` +
        `<tr><th>actual</th><td><pre>${esc(c.actual)}</pre></td></tr></table>`
      : '';
  const asserts = c.assertions
    .filter((a) => !a.passed)
    .map(
      (a) =>
        `<li>${esc(a.name)}: expected <code>${esc(a.expected)}</code>, ` +
        `actual <code>${esc(a.actual)}</code>${a.message ? ` — ${esc(a.message)}` : ''}</li>`,
    );
  const waiver = c.waiver
    ? `<p class="waiver">waived (${esc(c.waiver.status ?? 'failed')}): ${esc(c.waiver.ticket)} ` +
      `${esc(c.waiver.reason)} — until ${esc(c.waiver.expires)}</p>`
    : '';
  const code = c.errorCode ? ` <code>${esc(c.errorCode)}</code>` : '';
  const message = c.message ? `<pre class="msg">${esc(c.message)}</pre>` : '';
  return (
    `<article class="case st-${c.status}"><h3><span class="badge st-${c.status}">${esc(c.status)}</span> ` +
    `<span class="sev">${esc(c.severity)}</span> ${esc(c.id)}</h3>` +
    `<p>${esc(c.title)}${code}</p>${message}` +
    `${ev}${asserts.length ? `<ul>${asserts.join('')}</ul>` : ''}${waiver}${links(c)}</article>`
  );
}

export function failuresSection(r: RunResults): string {
  const failing = failuresFirst(r.cases);
  const waived = r.cases.filter((c) => c.status === 'waived');
  const flaky = r.cases.filter((c) => c.status === 'flaky');
  const skipped = r.cases.filter((c) => c.status === 'skipped');
  const list = (title: string, cases: CaseResult[], open: boolean) =>
    cases.length
      ? `<details${open ? ' open' : ''}><summary>${esc(title)} (${cases.length})</summary>` +
        `${cases.map(caseBlock).join('')}</details>`
      : '';
  return (
    `<section id="failures"><h2>Failures</h2>${failing.length ? '' : '<p>No unwaived failure.</p>'}` +
    `${list('Failed, errored, cancelled', failing, true)}${list('Waived', waived, true)}` +
    `${list('Flaky (passed on a retry)', flaky, false)}${list('Skipped', skipped, false)}</section>`
  );
}

export function waiversSection(r: RunResults): string {
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
      `<td>${w.cases.map((c) => esc(c)).join('<br>')}</td></tr>`
    );
  });
  const head = thead(['state', 'match', 'ticket', 'reason', 'expires', 'cases']);
  return `<section id="waivers"><h2>Waivers</h2><table>${head}<tbody>${rows.join('')}</tbody></table></section>`;
}

export function baselineSection(r: RunResults): string {
  const b = r.baseline;
  if (!b) return '<section id="baseline"><h2>Since the baseline</h2><p>No baseline given.</p></section>';
  const group = (title: string, ids: string[]) => {
    const items = ids.map((i) => `<li>${esc(i)}</li>`).join('');
    return `<h3>${esc(title)} (${ids.length})</h3>${ids.length ? `<ul>${items}</ul>` : ''}`;
  };
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

export function chartsSection(r: RunResults): string {
  const tone = (c: CaseResult) =>
    c.status === 'passed'
      ? 'pass'
      : c.status === 'flaky' || c.status === 'waived'
        ? 'warn'
        : c.status === 'skipped'
          ? 'none'
          : 'fail';
  const slowest = [...r.cases].sort((a, b) => b.durationMs - a.durationMs).slice(0, 25);
  const charts = slowest.length
    ? [
        barChart(
          'Slowest cases (seconds)',
          slowest.map((c) => ({ label: c.id, value: c.durationMs / 1000, tone: tone(c) })),
          's',
        ),
      ]
    : [];
  const byMetric = new Map<string, Array<{ label: string; value: number }>>();
  for (const c of r.cases)
    for (const [k, v] of Object.entries(c.metrics))
      byMetric.set(k, [...(byMetric.get(k) ?? []), { label: `${c.caseId}@${c.host}`, value: v }]);
  for (const [metric, bars] of byMetric) charts.push(barChart(metric, bars.slice(0, 40), ''));
  return `<section id="charts"><h2>Charts</h2>${charts.join('') || '<p>No cases.</p>'}</section>`;
}

/**
 * The cases' own charts (CaseResult.charts, e.g. a live migration's remaining/dirty rate/throughput per pass), inline.
 */
export function caseChartsSection(r: RunResults): string {
  const withCharts = r.cases.filter((c) => c.charts?.length);
  if (!withCharts.length) return '';
  const blocks = withCharts.map(
    (c) =>
      `<article class="case st-${c.status}" data-case="${esc(c.id)}">` +
      `<h3><span class="badge st-${c.status}">${esc(c.status)}</span> ${esc(c.id)}</h3>` +
      `${c.charts!.map(caseChart).join('')}</article>`,
  );
  return `<section id="case-charts"><h2>Case charts</h2>${blocks.join('')}</section>`;
}

export function provenanceSection(r: RunResults): string {
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
  const hosts = r.hosts.map((h) => {
    const s = hostSummary(h);
    const replay = h.replay
      ? `replayed from ${h.replay.from} (${h.replay.origin})`
      : h.reachable
        ? ['live', s.access].filter(Boolean).join(', ')
        : `unreachable: ${h.error ?? ''}`;
    const labels = Object.entries(h.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    return tdRow([h.name, s.product, s.os, s.kernel, s.qemu, s.cpu, s.bios, labels, replay]);
  });
  const facts = rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td><code>${esc(v)}</code></td></tr>`).join('');
  const head = thead(['host', 'hardware', 'OS', 'kernel', 'QEMU', 'CPU', 'BIOS', 'labels', 'source']);
  return (
    `<section id="provenance"><h2>Provenance</h2><table>${facts}</table>` +
    `<table>${head}<tbody>${hosts.join('')}</tbody></table></section>`
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
