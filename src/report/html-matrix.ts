import type { HostResult, RunRecord } from '../model/result.ts';
import { CASE_STATUSES } from '../model/status.ts';
import type { RunDigest } from './digest.ts';
import { esc } from './html-escape.ts';
import { hostSummary } from './host-summary.ts';
import { CellTally } from './matrix.ts';

/** Runs with at most this many hosts show every group's hosts open; larger ones collapse them (a drill-down each). */
export const OPEN_HOSTS = 12;
/** A group's rows name each host's hardware and OS only up to this size (the provenance lists configurations). */
const SUBLINE_HOSTS = 50;

export const num = (n: number): string => n.toLocaleString('en-US');

/**
 * The matrix: one row per group of hosts (by a label, label-groups.ts) × suites, each cell the group's case counts
 * and how many of its hosts' cells fail. Each group's name links to its drill-down (hostsSection).
 */
export function matrixSection(_r: RunRecord, d: RunDigest): string {
  const { suites } = d.matrix;
  const label = d.hostGroups.label;
  const rows: string[] = [];
  d.hostGroups.groups.forEach((g, i) => {
    const sums = suites.map(() => new CellTally());
    const failing = suites.map(() => 0);
    let hostsFailing = 0;
    for (const host of g.hosts) {
      let bad = false;
      suites.forEach((suite, j) => {
        const cell = d.matrix.cells.get(host)?.get(suite);
        if (!cell) return;
        sums[j]!.merge(cell);
        if (cell.tone === 'fail') {
          failing[j]!++;
          bad = true;
        }
      });
      if (bad) hostsFailing++;
    }
    const cells = sums.map((sum, j) => {
      if (!sum.total) return '<td class="cell tone-none">–</td>';
      const of = failing[j] ? `<small>on ${num(failing[j]!)} of ${num(g.hosts.length)} hosts</small>` : '';
      return `<td class="cell tone-${sum.tone}">${countsHtml(sum)}${of}</td>`;
    });
    const bad = hostsFailing ? ` <small>(${num(hostsFailing)} failing)</small>` : '';
    rows.push(
      `<tr><th class="group"><a href="#group-${i + 1}">${esc(g.value)}</a></th>` +
        `<td class="n">${num(g.hosts.length)}${bad}</td>${cells.join('')}</tr>`,
    );
  });
  const head = suites.map((s) => `<th>${esc(s)}</th>`).join('');
  return (
    `<section id="matrix"><h2>Matrix (hosts${label ? ` by ${esc(label)}` : ''} × suites)</h2>` +
    `<table class="matrix groups"><thead><tr><th>${esc(label ?? 'hosts')}</th><th>hosts</th>${head}</tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table></section>`
  );
}

/**
 * A drill-down per group of the matrix: its hosts × suites, each cell the host's counts. Open when the run has at
 * most OPEN_HOSTS hosts; collapsed otherwise (every host is in the page, one row each).
 */
export function hostsSection(r: RunRecord, d: RunDigest): string {
  const { suites } = d.matrix;
  const info = new Map(r.hosts.map((h) => [h.name, h]));
  const open = d.hostNames.length <= OPEN_HOSTS;
  const label = d.hostGroups.label;
  const head = suites.map((s) => `<th>${esc(s)}</th>`).join('');
  const drills = d.hostGroups.groups.map((g, i) => {
    let failing = 0;
    for (const h of g.hosts) if (suites.some((s) => d.matrix.cells.get(h)?.get(s)?.tone === 'fail')) failing++;
    const bad = failing ? `, ${num(failing)} failing` : '';
    return (
      `<details class="drill" id="group-${i + 1}"${open ? ' open' : ''}>` +
      `<summary><b>${esc(g.value)}</b>: ${num(g.hosts.length)} host${g.hosts.length === 1 ? '' : 's'}${bad}</summary>` +
      `<table class="matrix hosts"><thead><tr><th>host</th>${head}</tr></thead>` +
      `<tbody>${g.hosts.map((h) => hostRow(h, info.get(h), d, g.hosts.length <= SUBLINE_HOSTS)).join('')}</tbody>` +
      '</table></details>'
    );
  });
  return `<section id="hosts"><h2>Hosts${label ? ` by ${esc(label)}` : ''}</h2>${drills.join('')}</section>`;
}

function hostRow(host: string, h: HostResult | undefined, d: RunDigest, subline: boolean): string {
  const cells = d.matrix.suites.map((suite) => {
    const cell = d.matrix.cells.get(host)?.get(suite);
    if (!cell) return '<td class="cell tone-none">–</td>';
    return `<td class="cell tone-${cell.tone}">${countsHtml(cell)}</td>`;
  });
  let sub = '';
  if (subline) {
    const s = hostSummary(h);
    sub = `<small>${esc([s.product, s.os].filter(Boolean).join(' · '))}</small>`;
  }
  return `<tr><th class="host">${esc(host)}${sub}</th>${cells.join('')}</tr>`;
}

/** `N status` per status present; a cell that all passed says just that. */
function countsHtml(cell: CellTally): string {
  const present = CASE_STATUSES.filter((st) => cell.counts[st]);
  if (present.length === 1 && present[0] === 'passed') return `${num(cell.counts.passed!)} passed`;
  return present.map((st) => `<span class="st-${st}">${num(cell.counts[st]!)} ${esc(st)}</span>`).join('<br>');
}
