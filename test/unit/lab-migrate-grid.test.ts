// `hwqual lab-migrate --plan grid.yaml`: the grid file validated like every plan (schema, file and field named, exit
// 2 before any host), the command line over the file; the map as Markdown and HTML (inline SVG, no script, escaped),
// and what the grid says about the model: agreement, misses apart, "not determinable" never 0.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convergenceMapHtml } from '../../src/cli/convergence-html.ts';
import { gridSetup } from '../../src/cli/grid-plan.ts';
import { configSchema } from '../../src/config/index.ts';
import { type ConvergenceMap, formatConvergenceMap, STRATEGIES, summarizeGrid } from '../../src/migration/index.ts';
import { gridCell, gridMap } from '../support/grid-cells.ts';
import { hwqualInProcess } from '../support/main.ts';
import { tempDir } from '../support/temp-dir.ts';

const dir = tempDir('hwq-grid-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A lab whose only host nobody answers for: a grid refused must never get as far as dialling it.
const lab = join(dir, 'lab.yaml');
writeFileSync(
  lab,
  'hosts:\n  - { name: node-a, address: 127.0.0.1, port: 9, user: x }\n' +
    '  - { name: node-b, address: 127.0.0.1, port: 9, user: x }\n',
);

async function labMigrate(plan: string, ...args: string[]) {
  const file = join(dir, 'grid.yaml');
  writeFileSync(file, plan);
  return hwqualInProcess('lab-migrate', '--lab', lab, '--plan', file, '--out', join(dir, 'out'), ...args);
}

describe('lab-migrate --plan: the grid file validated before any host', () => {
  it('unknown keys, wrong types and values, named by file and field, all at once: exit 2', async () => {
    const r = await labMigrate(
      [
        'pair: [node-a, node-b]',
        'dirty: [0, fast]',
        'bandwidth: [0]',
        'strategies: [precopy, teleport]',
        'guest: { memoryMiB: 512, wss: 256 }',
        'deadlline: 40',
        'lab-shape: { rate: 2 gigabit }',
      ].join('\n'),
    );
    expect(r.code).toBe(2);
    for (const problem of [
      'grid.yaml: /dirty/1 must be number',
      'grid.yaml: /bandwidth/0 must be > 0',
      'grid.yaml: /strategies/1 must be one of precopy, auto-converge, xbzrle, postcopy, multifd',
      'grid.yaml: /guest/wss is not a known field',
      'grid.yaml: /deadlline is not a known field',
      'grid.yaml: /lab-shape/rate must be a number with a tc unit',
    ])
      expect(r.err).toContain(problem);
    expect(r.err).not.toMatch(/connect|ECONNREFUSED|ssh/i);
  });

  it('the rules between fields: a working set larger than the guest, a pair of one host', async () => {
    const r = await labMigrate('pair: [node-a, node-a]\nguest: { memoryMiB: 256, wssMiB: 300 }\n');
    expect(r.code).toBe(2);
    expect(r.err).toContain("grid.yaml: /guest/wssMiB 300 is more than the guest's RAM (memoryMiB 256)");
    expect(r.err).toContain('grid.yaml: /pair migrates node-a to itself');
  });

  it('a bad --accel or a pair the lab does not have: exit 2', async () => {
    expect((await labMigrate('pair: [node-a, node-b]\n', '--accel', 'hvf')).code).toBe(2);
    const r = await labMigrate('pair: [node-a, node-c]\naccel: tcg\n');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`host node-c is not in ${lab}`);
  });

  it('lab-shape needs a lab-in-a-box', async () => {
    const r = await labMigrate('pair: [node-a, node-b]\nlab-shape: { rate: 2gbit }\n');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/lab-shape: .* is not a lab-in-a-box's lab\.yaml \(no state\.json beside it\)/);
  });

  it('the schema knows every strategy hwqual has', () => {
    const strategies = (configSchema('grid').properties as Record<string, { items: { enum: string[] } }>).strategies;
    expect(strategies.items.enum).toEqual([...STRATEGIES]);
  });

  it('an option given on the command line wins over the file, the file over the defaults', () => {
    const cli = {
      dirty: [0, 20],
      bandwidth: [50],
      strategies: ['precopy' as const],
      memoryMiB: 256,
      wssMiB: 64,
      deadlineSec: 30,
      accel: 'auto' as const,
    };
    const plan = { pair: ['a', 'b'] as [string, string], dirty: [0, 25, 50], deadline: 40, accel: 'tcg' as const };
    const s = gridSetup(plan, cli, (o) => o === 'deadline');
    expect(s).toMatchObject({
      pair: ['a', 'b'],
      dirty: [0, 25, 50],
      bandwidth: [50],
      deadlineMs: 30_000,
      accel: 'tcg',
    });
    expect(() => gridSetup({}, cli, () => false)).toThrow(/name the pair/);
  });
});

const cell = gridCell;

const map: ConvergenceMap = gridMap([
  cell({ totalMs: 10_900, predictionError: 0.083 }),
  cell({
    dirtyMiBps: 200,
    bandwidthMiBps: 256,
    totalMs: 4500,
    predicted: { converges: false, totalMs: null, downtimeMs: 0, passes: 30 },
  }),
  cell({
    dirtyMiBps: 200,
    outcome: 'not-converging',
    diagnosis: 'does not converge: <script>alert(1)</script>',
    called: { rule: 'dirty-set', pass: 2, atMs: 11_200 },
    calledAtPass: 2,
    certainAtPass: 2,
    predicted: { converges: false, totalMs: null, downtimeMs: 0, passes: 30 },
  }),
  cell({
    dirtyMiBps: 25,
    outcome: 'not-converging',
    called: { rule: 'deadline', pass: 9, atMs: 40_100 },
    calledAtPass: 9,
    predicted: { converges: false, totalMs: null, downtimeMs: 0, passes: 13, wouldNeedMs: 46_030 },
  }),
  cell({
    dirtyMiBps: 50,
    bandwidthMiBps: 256,
    outcome: 'error',
    error: 'completed, but not reported by QEMU: total-time',
  }),
]);

describe('the convergence map', () => {
  it('summary: outcome agreement, prediction error with misses apart, "not determinable" never 0', () => {
    const s = summarizeGrid(map);
    expect(s.agreement).toMatchObject({ agreed: 3, of: 4 });
    expect(s.errors).toHaveLength(1);
    expect(s.predictionErrors.map((e) => e.error)).toEqual([0.083]);
    expect(s.misses.map((c) => c.dirtyMiBps)).toEqual([200]);
    expect(s.calls.map((c) => c.lag)).toEqual([0, 'not determinable']);
    expect(s.atDeadline.map((c) => c.dirtyMiBps)).toEqual([25]);
    expect(s.certainAtDeadline).toEqual([]);
  });

  it('Markdown: the link and the caps in the header, where each verdict came and by which rule', () => {
    const md = formatConvergenceMap(map);
    expect(md).toContain("Link: **215 MiB/s**, measured by an idle migration with QEMU's cap lifted");
    expect(md).not.toContain('calibration runs disagree');
    // Runs this far apart (a host starved during one of them) make the faster columns' predictions uncertain.
    const unsteady = formatConvergenceMap({
      ...map,
      calibration: { ...map.calibration, runsMiBps: [117.6, 163.4, 79.1] },
    });
    expect(unsteady).toContain('- **The calibration runs disagree** (79.1–163.4 MiB/s, ×2.07)');
    const steady = formatConvergenceMap({ ...map, calibration: { ...map.calibration, runsMiBps: [209, 215, 230] } });
    expect(steady).not.toContain('calibration runs disagree');
    expect(md).toContain('the link is slower than 256 MiB/s, so those cells use the link');
    expect(md).toContain('pass 2 at 11.2 s (dirty-set)');
    expect(md).toContain('not within the deadline (would need ~46.0 s)');
    expect(md).toContain('precopy 25/32: not determinable');
    expect(md).toContain('converging cells predicted not to: precopy 200/256 (misses)');
  });

  it('HTML: one SVG grid per strategy, coloured by outcome, the boundary line, no script, labels escaped', () => {
    const html = convergenceMapHtml(map);
    writeFileSync(join(dir, 'map.html'), html);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html.match(/<svg /g)).toHaveLength(1);
    expect(html).toContain('<polyline points="');
    expect(html).toContain('dirty rate = bandwidth');
    expect(html).toMatch(/fill="#c8e6c9"/); // converges
    expect(html).toMatch(/fill="#ffcdd2"/); // does not
    expect(html).toContain('measured 10.9 s');
    expect(html).toContain('pred 10.0 s (error 8 %)');
    expect(html).toContain('called at pass 2, 11.2 s (dirty-set)');
    expect(html).toContain('✗ not as predicted');
    expect(readFileSync(join(dir, 'map.html'), 'utf8')).toBe(html);
  });
});
