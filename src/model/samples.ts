import type { Sample } from './result.ts';

/** `node-a→node-b`: the direction a sample was measured in. */
export const directionOf = (s: Pick<Sample, 'from' | 'to'>) => `${s.from}→${s.to}`;

/** A figure's sample values by direction, in the order the directions first appear. Pure. */
export function byDirection(samples: readonly Sample[] = []): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const s of samples) {
    const d = directionOf(s);
    out.set(d, [...(out.get(d) ?? []), s.value]);
  }
  return out;
}
