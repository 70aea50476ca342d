import type { RunResults } from '../model/result.ts';
import { cryptoHtmlSection } from './crypto-section.ts';
import { esc } from './html-escape.ts';
import {
  baselineSection,
  caseChartsSection,
  chartsSection,
  failuresSection,
  legendSection,
  matrixSection,
  provenanceSection,
  verdictSection,
  waiversSection,
} from './html-sections.ts';

/**
 * report.html: one self-contained page (inline CSS and SVG; no script, no font, no network — the
 * Content-Security-Policy forbids them too), readable offline and attachable to a review. Built with template strings;
 * every value is escaped by html-escape.ts.
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
`;

export function buildHtml(results: RunResults): string {
  const title = `hwqual ${results.run.plan}: ${results.signoff?.verdict ?? 'no verdict'}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${esc(CSP)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title><style>${CSS}</style></head><body>`,
    verdictSection(results),
    matrixSection(results),
    failuresSection(results),
    cryptoHtmlSection(results),
    waiversSection(results),
    baselineSection(results),
    chartsSection(results),
    caseChartsSection(results),
    provenanceSection(results),
    legendSection(),
    '</body></html>',
    '',
  ].join('\n');
}
