// Convergence-map data for the tests of what reads it (the map's Markdown and HTML, the bench's target rows).
import type { ConvergenceMap, GridCell } from '../../src/migration/index.ts';

/** A pre-copy cell at 0/32 that completed as predicted; `o` says what differs. */
export const gridCell = (o: Partial<GridCell>): GridCell => ({
  strategy: 'precopy',
  dirtyMiBps: 0,
  bandwidthMiBps: 32,
  outcome: 'completed',
  measuredDirtyMiBps: 0,
  predicted: { converges: true, totalMs: 10_000, downtimeMs: 30, passes: 2, bandwidthMiBps: 32 },
  ...o,
});

/** The grid setup (512 MiB guest rewriting 256 MiB, 300 ms, 40 s) with a link of 215 MiB/s, and `cells`. */
export const gridMap = (cells: GridCell[]): ConvergenceMap => ({
  pair: ['node-a', 'node-b'],
  accel: 'tcg',
  guest: { memoryMiB: 512, wssMiB: 256 },
  downtimeLimitMs: 300,
  deadlineMs: 40_000,
  calibration: { transferredMiB: 330.5, totalMs: 1690, setupMs: 150, linkMiBps: 215, capMiBps: 1_048_576 },
  cells,
});
