import type { RunRecord } from '../model/result.ts';
import { SHOWN_HOSTS, type CaseGroup } from './case-groups.ts';
import type { RunDigest } from './digest.ts';
import { esc, href } from './html-escape.ts';
import { num } from './html-matrix.ts';

/**
 * Failures, waived, flaky and skipped cases, each outcome once: a card per group of identical outcomes
 * (case-groups.ts) naming its hosts — the first SHOWN_HOSTS with their transcript and artifacts, the rest by name,
 * collapsed. The message is said once, expected vs actual once.
 */
export function failuresSection(_r: RunRecord, d: RunDigest): string {
  const list = (title: string, groups: CaseGroup[], cases: number, open: boolean) =>
    groups.length
      ? `<details${open ? ' open' : ''}><summary>${esc(title)} (${num(cases)} case${cases === 1 ? '' : 's'}` +
        `${groups.length < cases ? ` in ${num(groups.length)} group${groups.length === 1 ? '' : 's'}` : ''})` +
        '</summary>' +
        `${groups.map(card).join('')}</details>`
      : '';
  return (
    `<section id="failures"><h2>Failures</h2>${d.failing.length ? '' : '<p>No unwaived failure.</p>'}` +
    list('Failed, errored, cancelled', d.failing, d.count.failing, true) +
    list('Waived', d.waived, d.count.waived, true) +
    list('Flaky (passed on a retry)', d.flaky, d.count.flaky, false) +
    list('Skipped', d.skipped, d.count.skipped, false) +
    '</section>'
  );
}

function card(g: CaseGroup): string {
  const n = g.hosts.length;
  const where = n === 1 ? `on ${esc(g.hosts[0])}` : `on <b>${num(n)} hosts</b>`;
  const ev =
    g.expected !== undefined || g.actual !== undefined
      ? `<table class="ev"><tr><th>expected</th><td><pre>${esc(g.expected)}</pre></td></tr>` +
        `<tr><th>actual</th><td><pre>${esc(g.actual)}</pre></td></tr></table>`
      : '';
  // The case's own expected/actual are made of its failed assertions: the list only says what they do not.
  const asserts =
    ev || !g.assertions.length
      ? ''
      : `<ul>${g.assertions
          .map(
            (a) =>
              `<li>${esc(a.name)}: expected <code>${esc(a.expected)}</code>, actual <code>${esc(a.actual)}</code>` +
              `${a.message && a.message !== g.message ? ` — ${esc(a.message)}` : ''}</li>`,
          )
          .join('')}</ul>`;
  const waiver = g.waiver
    ? `<p class="waiver">waived (${esc(g.waiver.status ?? 'failed')}): ${esc(g.waiver.ticket)} ` +
      `${esc(g.waiver.reason)} — until ${esc(g.waiver.expires)}</p>`
    : '';
  return (
    `<article class="case st-${g.status}" data-hosts="${n}">` +
    `<h3><span class="badge st-${g.status}">${esc(g.status)}</span> ` +
    `<span class="sev">${esc(g.severity)}</span> ${esc(`${g.suite}/${g.label}`)} ` +
    `<span class="where">${where}</span></h3>` +
    `<p>${esc(g.title)}${g.errorCode ? ` <code>${esc(g.errorCode)}</code>` : ''}</p>` +
    `${g.message ? `<pre class="msg">${esc(g.message)}</pre>` : ''}${ev}${asserts}${waiver}${hostsHtml(g)}</article>`
  );
}

/**
 * The hosts, on one line: the first SHOWN_HOSTS each linking to its transcript (and its artifacts after it), then
 * every other host by name, collapsed. A group of one host says its links after the host's name.
 */
function hostsHtml(g: CaseGroup): string {
  const links = (s: CaseGroup['shown'][number]) =>
    s.artifacts.map((a) => `<a href="${href(a.path)}">${esc(a.name)}</a> <small>(${esc(a.bytes)} B)</small>`);
  if (g.hosts.length === 1) {
    const s = g.shown[0];
    const all = s ? [...(s.transcript ? [`<a href="${href(s.transcript)}">transcript</a>`] : []), ...links(s)] : [];
    return all.length ? `<p class="links">${all.join(' · ')}</p>` : '';
  }
  const shown = g.shown.map((s) => {
    const name = s.transcript ? `<a href="${href(s.transcript)}" title="transcript">${esc(s.host)}</a>` : esc(s.host);
    const extra = links(s);
    return extra.length ? `${name} (${extra.join(', ')})` : name;
  });
  const rest = g.hosts.slice(SHOWN_HOSTS);
  const more = rest.length
    ? `<details class="more-hosts"><summary>and ${num(rest.length)} more host${rest.length === 1 ? '' : 's'}` +
      '</summary>' +
      `<p class="hosts">${rest.map((h) => esc(h)).join(' ')}</p></details>`
    : '';
  return `<p class="links">hosts (each links to its transcript): ${shown.join(' · ')}</p>${more}`;
}
