import type { RunRecord } from '../model/result.ts';
import { cryptoHtmlSection } from './crypto-section.ts';
import { digestOf, type DigestOptions } from './digest.ts';
import { esc } from './html-escape.ts';
import { failuresSection } from './html-failures.ts';
import { hostsSection, matrixSection } from './html-matrix.ts';
import {
  baselineSection,
  caseChartsSection,
  chartsSection,
  legendSection,
  provenanceSection,
  verdictSection,
  waiversSection,
} from './html-sections.ts';

/**
 * report.html: one self-contained page (inline CSS and SVG; no script, no font, no network — the
 * Content-Security-Policy forbids them too), readable offline and attachable to a review. Built with template strings;
 * every value is escaped by html-escape.ts. Built from the results and one pass over their cases (digest.ts): a run
 * of 10,000 hosts gives a page of a few MiB (hosts collapsed by a label in the matrix, identical failures in one card
 * each).
 */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1d1d1d;max-width:1400px}
h1{margin:.2em 0}h2{border-bottom:1px solid #ccc;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ddd;padding:3px 7px;text-align:left;vertical-align:top}
pre{white-space:pre-wrap;word-break:break-all;margin:0}code{font-size:12px}
.verdict{padding:.6em 1em;border-radius:6px;border:2px solid}
.v-qualified{background:#e8f5e9;border-color:#2e7d32}.v-conditional{background:#fff8e1;border-color:#ef8f00}
.v-not-qualified{background:#ffebee;border-color:#c62828}
.v-incomplete{background:#eceff1;border-color:#455a64;border-style:dashed}
.count{margin-right:1em}.matrix .cell{text-align:center;min-width:6em}
.host small{display:block;color:#555;font-weight:normal}
.tone-pass{background:#c8e6c9}.tone-warn{background:#ffe0b2}.tone-fail{background:#ffcdd2}
.tone-none{background:#eceff1;color:#555}
.case{border-left:4px solid #999;padding:.2em .8em;margin:.6em 0}
.case.st-failed,.case.st-error,.case.st-cancelled{border-color:#c62828}
.case.st-waived,.case.st-flaky{border-color:#ef8f00}.badge{padding:0 .4em;border-radius:3px;background:#eee}
.sev{color:#555;font-weight:normal}
.w-expired td:first-child,.w-unused td:first-child{color:#c62828}
.matrix .cell small{display:block;color:#555}.matrix th.group a{color:inherit}td.n{text-align:right}
details.drill{margin:.3em 0}details.drill summary,details>summary{cursor:pointer}
.case h3{margin:.3em 0;font-size:1.05em}.case .where{font-weight:normal}.msg{background:#f6f6f6;padding:.3em}
ul.links{margin:.2em 0;padding-left:1.2em}p.hosts{font-family:monospace;font-size:12px;word-spacing:.4em}
`;

export function buildHtml(results: RunRecord, options: DigestOptions = {}): string {
  const title = `hwqual ${results.run.plan}: ${results.signoff?.verdict ?? 'no verdict'}`;
  const digest = digestOf(results, options);
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${esc(CSP)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title><style>${CSS}</style></head><body>`,
    verdictSection(results),
    matrixSection(results, digest),
    failuresSection(results, digest),
    cryptoHtmlSection({ hosts: results.hosts, cases: digest.crypto }),
    hostsSection(results, digest),
    waiversSection(results),
    baselineSection(results),
    chartsSection(results, digest),
    caseChartsSection(results, digest),
    provenanceSection(results),
    legendSection(),
    '</body></html>',
    '',
  ].join('\n');
}
