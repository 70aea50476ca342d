import { buildHtml } from './html.ts';
import { buildJunit } from './junit.ts';
import { buildMarkdown } from './markdown.ts';
import type { Reporter } from './reporter.ts';

/** The reporters by name. `hwqual run`, `hwqual report` and `hwqual merge` write DEFAULT_REPORTERS. */
export const REPORTERS: Record<string, () => Reporter> = {
  json: () => ({
    name: 'json',
    render: ({ results }) => [{ name: 'results.json', content: `${JSON.stringify(results, null, 2)}\n` }],
  }),
  junit: () => ({
    name: 'junit',
    render: ({ results, transcript }) => [{ name: 'junit.xml', content: buildJunit(results, { transcript }) }],
  }),
  html: () => ({ name: 'html', render: ({ results }) => [{ name: 'report.html', content: buildHtml(results) }] }),
  markdown: () => ({
    name: 'markdown',
    render: ({ results }) => [{ name: 'report.md', content: buildMarkdown(results) }],
  }),
};

export const DEFAULT_REPORTERS: readonly string[] = ['json', 'junit', 'html', 'markdown'];
