import { buildHtml } from './html.ts';
import { junitPieces } from './junit.ts';
import { buildMarkdown } from './markdown.ts';
import type { Reporter } from './reporter.ts';
import { resultsJsonPieces } from './results-json.ts';

/**
 * The reporters by name. `hwqual run`, `hwqual report` and `hwqual merge` write DEFAULT_REPORTERS. results.json and
 * junit.xml are written in pieces as one pass reads the cases; report.html and report.md share one pass (digest.ts).
 */
export const REPORTERS: Record<string, () => Reporter> = {
  json: () => ({
    name: 'json',
    render: ({ results }) => [{ name: 'results.json', content: resultsJsonPieces(results) }],
  }),
  junit: () => ({
    name: 'junit',
    render: ({ results, transcript }) => [{ name: 'junit.xml', content: junitPieces(results, { transcript }) }],
  }),
  html: () => ({
    name: 'html',
    render: ({ results, groupBy }) => [{ name: 'report.html', content: buildHtml(results, { groupBy }) }],
  }),
  markdown: () => ({
    name: 'markdown',
    render: ({ results, groupBy }) => [{ name: 'report.md', content: buildMarkdown(results, { groupBy }) }],
  }),
};

export const DEFAULT_REPORTERS: readonly string[] = ['json', 'junit', 'html', 'markdown'];
