import { describe, expect, it } from 'vitest';
import { parseResults, resultsProblems } from '../../src/report/results-schema.ts';
import { everyStatus, host, kase, results } from './report-fixtures.ts';

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

describe('results.schema.json', () => {
  it('accepts realistic results: every status, replayed and unreachable hosts, shard, artifacts, metrics', () => {
    const r = everyStatus();
    r.hosts.push(
      host('node-3', { reachable: false, error: 'E_AUTH', replay: { from: 'profiles/x', origin: 'assembled' } }),
    );
    r.cases[0]!.artifacts.push({ name: 'dmesg.txt', path: 'artifacts/node-1/dmesg.txt', bytes: 5120 });
    r.cases[0]!.params = { image: 'debian-12' };
    r.run.shard = { index: 2, total: 4 };
    r.run.planned = [{ suite: 'host-os', host: 'node-1' }];
    r.run.gitCommit = null;
    expect(resultsProblems('results.json', clone(r))).toEqual([]);
  });

  it('accepts 0 cases', () => {
    expect(resultsProblems('results.json', clone(results([])))).toEqual([]);
  });

  const broken: Array<[string, (r: any) => void, string]> = [
    ['unknown status', (r) => (r.cases[0].status = 'ok'), '/cases/0/status must be equal to one of the allowed values'],
    ['bad severity', (r) => (r.cases[0].severity = 'critical'), '/cases/0/severity'],
    ['missing summary count', (r) => delete r.summary.total, "/summary must have required property 'total'"],
    ['non-ISO start', (r) => (r.run.startedAt = 'yesterday'), '/run/startedAt must match format "date-time"'],
    ['short sha256', (r) => (r.run.labSha256 = 'abc'), '/run/labSha256 must match pattern'],
    ['negative duration', (r) => (r.cases[1].durationMs = -1), '/cases/1/durationMs must be >= 0'],
    ['string metric', (r) => (r.cases[0].metrics.x = '3'), '/cases/0/metrics/x must be number'],
    ['unknown case field', (r) => (r.cases[2].stdout = 'x'), '/cases/2 must NOT have additional properties (stdout)'],
    [
      'absolute artifact path',
      (r) => (r.cases[0].artifacts = [{ name: 'a', path: '/etc/passwd', bytes: 1 }]),
      '/cases/0/artifacts/0/path',
    ],
    ['wrong schemaVersion', (r) => (r.schemaVersion = 2), '/schemaVersion must be equal to constant'],
    [
      'waiver expiry not a date',
      (r) => (r.cases[6].waiver.expires = 'soon'),
      '/cases/6/waiver/expires must match format "date"',
    ],
  ];
  it.each(broken)('rejects %s, naming the JSON path', (_, breakIt, expected) => {
    const r = clone(everyStatus());
    breakIt(r);
    const problems = resultsProblems('results.json', r);
    expect(problems.some((p) => p.startsWith('results.json: ') && p.includes(expected))).toBe(true);
  });

  it('parseResults throws E_CONFIG with the file name for bad JSON and bad content', () => {
    expect(() => parseResults('run-1/results.json', '{')).toThrow(/run-1\/results.json: not JSON/);
    const r = clone(everyStatus()) as any;
    r.cases[0].status = 'ok';
    expect(() => parseResults('run-1/results.json', JSON.stringify(r))).toThrow(
      expect.objectContaining({ code: 'E_CONFIG' }),
    );
    expect(parseResults('x', JSON.stringify(everyStatus())).cases).toHaveLength(7);
  });

  it('checks a case produced by the fixture helper has every field the schema requires', () => {
    expect(resultsProblems('r', clone(results([kase({ status: 'passed' })])))).toEqual([]);
  });
});
