// The report at fleet scale: identical failures are one card listing their hosts (the first ten with links, every
// other host by name, collapsed), each message said once; the matrix groups hosts by a label (default: the label
// most hosts share) with per-group counts and a drill-down per group; report.md says the same, shorter.
import { describe, expect, it } from 'vitest';
import type { CaseResult, HostResult } from '../../src/model/result.ts';
import { buildHtml } from '../../src/report/html.ts';
import { esc } from '../../src/report/html-escape.ts';
import { defaultGroupLabel, groupHosts } from '../../src/report/label-groups.ts';
import { buildMarkdown } from '../../src/report/markdown.ts';
import { applySignoff } from '../../src/report/signoff.ts';
import { host, kase, results } from './report-fixtures.ts';

const MESSAGE = 'cpu-flag-avx2: `grep -qw avx2 /proc/cpuinfo` exited 1';

/** 25 hosts, gen2 (13) and gen1 (12) by `hardware`, racks r1..r5; avx2 missing on every gen2 host; one odd error. */
function fleet() {
  const hosts: HostResult[] = Array.from({ length: 25 }, (_, i) =>
    host(`node-${String(i + 1).padStart(2, '0')}`, {
      labels: { hardware: i % 2 ? 'gen1' : 'gen2', rack: `r${(i % 5) + 1}` },
    }),
  );
  const cases: CaseResult[] = [];
  for (const h of hosts) {
    const gen2 = h.labels.hardware === 'gen2';
    cases.push(
      kase({ status: 'passed', suite: 'host-checks', caseId: 'kernel-release', host: h.name }),
      kase({
        status: gen2 ? 'failed' : 'passed',
        suite: 'host-checks',
        caseId: 'cpu-flag-avx2',
        host: h.name,
        ...(gen2 && {
          message: MESSAGE,
          expected: 'exit code: exit 0',
          actual: 'exit code: exit 1',
          assertions: [{ name: 'exit code', passed: false, expected: 'exit 0', actual: 'exit 1', message: MESSAGE }],
          transcript: `transcripts/${h.name}.txt`,
        }),
      }),
      kase({
        status: h.name === 'node-07' ? 'error' : 'passed',
        suite: 'host-os',
        caseId: 'kvm',
        host: h.name,
        ...(h.name === 'node-07' && { errorCode: 'E_TIMEOUT', message: 'timed out after 30 s' }),
      }),
    );
  }
  return applySignoff(results(cases, hosts));
}

const count = (text: string, part: string) => text.split(part).length - 1;

describe('report.html at fleet scale', () => {
  const r = fleet();
  const html = buildHtml(r);
  const failures = html.slice(html.indexOf('id="failures"'), html.indexOf('id="hosts"'));

  it('one card per identical failure, naming how many hosts', () => {
    expect(count(failures, '<article class="case')).toBe(2);
    expect(failures).toContain('<article class="case st-failed" data-hosts="13">');
    expect(failures).toContain('Failed, errored, cancelled (14 cases in 2 groups)');
    expect(failures).toContain('on <b>13 hosts</b>');
    expect(failures).toContain('<article class="case st-error" data-hosts="1">');
  });

  it('the first ten hosts link to their transcript, every other host is listed, collapsed', () => {
    const card = failures.slice(failures.indexOf('data-hosts="13"'), failures.indexOf('data-hosts="1"'));
    const gen2 = r.hosts.filter((h) => h.labels.hardware === 'gen2').map((h) => h.name);
    for (const h of gen2.slice(0, 10))
      expect(card).toContain(`<a href="transcripts/${h}.txt" title="transcript">${h}</a>`);
    expect(card).toContain('<summary>and 3 more hosts</summary>');
    for (const h of gen2.slice(10)) expect(card).toContain(h);
    for (const h of gen2) expect(count(card, h)).toBeGreaterThanOrEqual(1);
  });

  it('says each message once: no copy in the title, no bullet repeating expected vs actual', () => {
    expect(count(html, esc(MESSAGE))).toBe(1);
    expect(count(failures, 'exit code: exit 1')).toBe(1);
    expect(failures).not.toContain('<li>exit code:');
    // The verdict names the failing cases by count and points at the groups; it lists none of them before
    // "every reason".
    const verdict = html.slice(html.indexOf('id="verdict"'), html.indexOf('id="matrix"'));
    expect(verdict).toContain('14 cases failed, errored, were cancelled or waived');
    expect(verdict.indexOf('host-checks/cpu-flag-avx2@')).toBeGreaterThan(verdict.indexOf('every reason (14)'));
  });

  it('groups the matrix by the label most hosts share, with counts, and a drill-down per group', () => {
    const matrix = html.slice(html.indexOf('id="matrix"'), html.indexOf('id="failures"'));
    expect(matrix).toContain('Matrix (hosts by hardware × suites)');
    expect(count(matrix, '<th class="group">')).toBe(2);
    expect(matrix).toContain(
      '<td class="cell tone-fail"><span class="st-passed">13 passed</span><br>' +
        '<span class="st-failed">13 failed</span><small>on 13 of 13 hosts</small></td>',
    );
    expect(matrix).toContain('<td class="cell tone-pass">24 passed</td>');
    const hosts = html.slice(html.indexOf('id="hosts"'), html.indexOf('id="waivers"'));
    expect(count(hosts, '<details class="drill"')).toBe(2);
    expect(hosts).toContain('<b>gen2</b>: 13 hosts, 13 failing');
    expect(count(hosts, '<th class="host">')).toBe(25);
    expect(hosts).not.toContain('<details class="drill" id="group-1" open>'); // 25 hosts: collapsed
  });

  it('--group-by takes any label; hosts without it are a group of their own', () => {
    const byRack = buildHtml(r, { groupBy: 'rack' });
    expect(byRack).toContain('Matrix (hosts by rack × suites)');
    expect(count(byRack.slice(0, byRack.indexOf('id="failures"')), '<th class="group">')).toBe(5);
    const byRole = buildHtml(r, { groupBy: 'role' });
    expect(byRole).toContain('<a href="#group-1">(no role)</a>');
  });
});

describe('label groups', () => {
  const h = (labels: Record<string, string>) => ({ labels });
  it('default: the label on most hosts; one that splits them into the fewest groups; none without labels', () => {
    expect(defaultGroupLabel([h({ os: 'd12', hw: 'a' }), h({ os: 'd12', hw: 'b' }), h({ hw: 'c' })])).toBe('hw');
    expect(defaultGroupLabel([h({ os: 'd12', hw: 'a', rack: '1' }), h({ os: 'd12', hw: 'b', rack: '2' })])).toBe('hw');
    expect(defaultGroupLabel([h({ hw: 'a', os: 'x' }), h({ hw: 'a', os: 'y' }), h({ hw: 'b', os: 'z' })])).toBe('hw');
    expect(defaultGroupLabel([h({ only: 'one' })])).toBe('only');
    expect(defaultGroupLabel([h({}), h({})])).toBeUndefined();
    expect(
      groupHosts(
        ['a', 'b'],
        [
          { name: 'a', labels: {} },
          { name: 'b', labels: {} },
        ],
      ),
    ).toEqual({
      groups: [{ value: 'all hosts', hosts: ['a', 'b'] }],
    });
  });
});

describe('report.md at fleet scale', () => {
  it('one line per group of identical failures, its hosts shortened; the matrix by label', () => {
    const md = buildMarkdown(fleet());
    expect(md).toContain('## Failures (14 in 2 groups)');
    const line = md.split('\n').find((l) => l.includes('cpu-flag-avx2 on 13 hosts'))!;
    expect(line).toMatch(/on 13 hosts \(node-01, node-03, .*, \+3 more\)/);
    expect(count(md, 'exited 1')).toBe(1);
    expect(md).toContain('| hardware | hosts | host-checks | host-os |');
    expect(md).toContain('| gen2 | 13 | 🔴 13 passed, 13 failed | 🔴 12 passed, 1 error |');
  });
});
