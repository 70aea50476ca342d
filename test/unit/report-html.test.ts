import { describe, expect, it } from 'vitest';
import { buildHtml } from '../../src/report/html.ts';
import { esc, href } from '../../src/report/html-escape.ts';
import { buildMarkdown, mdText } from '../../src/report/markdown.ts';
import { applySignoff } from '../../src/report/signoff.ts';
import { barChart } from '../../src/report/svg-chart.ts';
import { everyStatus, hostileResults, XSS } from './report-fixtures.ts';

describe('esc / href', () => {
  it('escapes the five HTML-significant characters and the backtick', () => {
    expect(esc(`<a href="x" title='y'>&\`</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;',
    );
    expect(esc(undefined)).toBe('');
    expect(esc(42)).toBe('42');
  });

  it('makes links relative and inert', () => {
    expect(href('artifacts/node 1/dmesg.txt')).toBe('artifacts/node%201/dmesg.txt');
    expect(href('javascript:alert(1)')).toBe('javascript%3Aalert(1)');
    expect(href('/etc/passwd')).toBe('#');
    expect(href('../x')).toBe('#');
    expect(href('a/"><script>')).toBe('a/%22%3E%3Cscript%3E');
  });
});

describe('report.html', () => {
  const html = buildHtml(applySignoff(hostileResults()));

  it('contains no markup from any host-derived field', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<b>bold/);
    expect(html).not.toMatch(/href="javascript:/i);
    // The escaped payload is there (as text) in many places: names, labels, facts, messages, artifacts, charts.
    expect(html.split(esc(XSS)).length - 1).toBeGreaterThan(40);
  });

  it('is self-contained: a CSP that forbids everything but inline style, no external URL', () => {
    expect(html).toContain(`content="${esc("default-src 'none'; style-src 'unsafe-inline'; img-src data:")}"`);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
  });

  it('shows the verdict first, then the matrix, failures, waivers, baseline, charts, provenance', () => {
    const r = applySignoff(everyStatus());
    const page = buildHtml(r);
    const order = [
      'id="verdict"',
      'id="matrix"',
      'id="failures"',
      'id="waivers"',
      'id="baseline"',
      'id="charts"',
      'id="provenance"',
    ].map((s) => page.indexOf(s));
    expect(order.every((x, i) => x > 0 && (i === 0 || x > order[i - 1]!))).toBe(true);
    expect(page).toContain('data-verdict="not-qualified"');
    expect(page).toContain('<td class="cell tone-fail">');
    expect(page).toContain('<td class="cell tone-warn"><span class="st-waived">1 waived</span></td>');
    expect(page).toContain('expected</th><td><pre>iommu=pt</pre>');
    expect(page).toContain('<a href="transcripts/k.txt">transcript</a>');
    expect(page).toContain('<svg class="chart"');
  });
});

describe('bar chart', () => {
  it('escapes labels and scales bars to the largest value', () => {
    const svg = barChart(
      't<',
      [
        { label: '<x>', value: 2 },
        { label: 'y', value: 1 },
      ],
      's',
    );
    expect(svg).toContain('&lt;x&gt;');
    expect(svg).not.toContain('<x>');
    expect(svg).toContain('width="360"');
    expect(svg).toContain('width="180"');
  });
});

describe('report.md', () => {
  it('neutralises markup and table breakers from hosts', () => {
    const md = buildMarkdown(applySignoff(hostileResults()));
    expect(md).not.toMatch(/<script|<img|<b>/i);
    expect(mdText('a|b\nc<d>')).toBe('a\\|b c&lt;d&gt;');
  });

  it('summarises verdict, matrix, failures and provenance', () => {
    const md = buildMarkdown(applySignoff(everyStatus()));
    expect(md).toMatch(/^# hwqual gen11-qualification: \*\*not-qualified\*\*/);
    expect(md).toContain('| node-2 | 🔴 1 cancelled | 🟠 1 waived |');
    expect(md).toContain('## Failures (3)');
    expect(md).toContain('waived: HW-1234 microcode fix scheduled in firmware 2.3 (until 2027-01-31)');
    expect(md).toContain(`\`${'a'.repeat(64)}\``);
  });
});
