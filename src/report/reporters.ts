import { buildJunit } from './junit.ts';
import type { Reporter } from './reporter.ts';

/** The reporters by name. `hwqual run` and `hwqual report` write DEFAULT_REPORTERS. */
export const REPORTERS: Record<string, () => Reporter> = {
  json: () => ({
    name: 'json',
    render: ({ results }) => [{ name: 'results.json', content: `${JSON.stringify(results, null, 2)}\n` }],
  }),
  junit: () => ({
    name: 'junit',
    render: ({ results, readText }) => [{ name: 'junit.xml', content: buildJunit(results, { readText }) }],
  }),
};

export const DEFAULT_REPORTERS: readonly string[] = ['json', 'junit'];
