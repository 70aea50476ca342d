import { byDirection, distribution, isMaximum, type Sample, type Statistic } from '../../src/suite-api/plan-part.ts';

/**
 * Release gates on repeated migration figures (`migration.gates`, `migration.gatesByStrategy`): upper bounds on a
 * summary statistic of a figure's samples, judged per direction. Parsing is the plan schema's (plan-schema.ts); this
 * file merges, judges and words the verdicts. Pure.
 */
export const GATED_FIGURES = ['total_ms', 'downtime_ms', 'blackout_ms', 'transferred_bytes', 'passes'] as const;
export type GatedFigure = (typeof GATED_FIGURES)[number];
export type Gates = Partial<Record<GatedFigure, Partial<Record<Statistic, number>>>>;

export interface GateVerdict {
  figure: GatedFigure;
  stat: Statistic;
  bound: number;
  /** `node-a→node-b` */
  direction: string;
  value: number;
  /** The direction's samples, ascending. */
  values: number[];
  ok: boolean;
  /** `blackout_ms p99 = 412 > 300 (node-a→node-b, n=5: 212 230 251 298 412)` and its notes. */
  message: string;
}

/** The gates of one strategy: `gates`, each figure's statistics overridden by `gatesByStrategy[strategy]`. */
export function gatesFor(all: Gates | undefined, byStrategy: Record<string, Gates> | undefined, strategy: string) {
  const out: Gates = {};
  const over = byStrategy?.[strategy] ?? {};
  for (const f of GATED_FIGURES) {
    const merged = { ...all?.[f], ...over[f] };
    if (Object.keys(merged).length) out[f] = merged;
  }
  return out;
}

/**
 * Every gate × direction with samples: the statistic against its bound. Messages say when the statistic is the
 * maximum (nearest rank, n too small), show QEMU's downtime beside the guest-observed blackout (and the reverse) with
 * their difference, and say when a blackout bound is below the figure's measurement resolution.
 */
export function judgeGates(gates: Gates, samples: Record<string, Sample[]>): GateVerdict[] {
  const verdicts: GateVerdict[] = [];
  for (const figure of GATED_FIGURES) {
    for (const [stat, bound] of Object.entries(gates[figure] ?? {}) as Array<[Statistic, number]>) {
      for (const [direction, values] of byDirection(samples[figure])) {
        const d = distribution(values);
        const value = d[stat];
        const ok = value <= bound;
        const sorted = [...values].sort((a, b) => a - b);
        const notes: string[] = [];
        if (stat !== 'max' && stat !== 'min' && isMaximum(stat, d.n))
          notes.push(`${stat} of ${d.n} sample${d.n > 1 ? 's' : ''} is their maximum (nearest rank)`);
        const other = figure === 'blackout_ms' ? 'downtime_ms' : figure === 'downtime_ms' ? 'blackout_ms' : undefined;
        const otherValues = other && byDirection(samples[other]).get(direction);
        if (other && otherValues?.length) {
          const o = distribution(otherValues)[stat];
          const [bo, dt] = figure === 'blackout_ms' ? [value, o] : [o, value];
          const who = other === 'downtime_ms' ? 'QEMU' : 'guest';
          notes.push(`${who} ${other} ${stat} = ${o}, blackout − downtime = ${bo - dt} ms`);
        }
        const resolution = byDirection(samples.blackout_resolution_ms).get(direction);
        if (figure === 'blackout_ms' && resolution?.length) {
          const r = Math.max(...resolution);
          if (bound <= r) notes.push(`bound ${bound} ms is below the measurement resolution ${r} ms`);
        }
        verdicts.push({
          figure,
          stat,
          bound,
          direction,
          value,
          values: sorted,
          ok,
          message:
            `${figure} ${stat} = ${value} ${ok ? '≤' : '>'} ${bound} (${direction}, n=${d.n}: ${sorted.join(' ')})` +
            notes.map((n) => `; ${n}`).join(''),
        });
      }
    }
  }
  return verdicts;
}
