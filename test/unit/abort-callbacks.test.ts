import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { onAbort } from '../../src/util/abort-callbacks.ts';

describe('onAbort: callbacks on a signal through one listener', () => {
  it('runs every callback once, in the order added, with one listener on the signal whatever their number', () => {
    const ac = new AbortController();
    const calls: number[] = [];
    for (let i = 0; i < 1000; i++) onAbort(ac.signal, () => calls.push(i));
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1);
    ac.abort();
    ac.abort();
    expect(calls).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('a removed callback does not run; a callback added after the abort runs at once', () => {
    const ac = new AbortController();
    const calls: string[] = [];
    const off = onAbort(ac.signal, () => calls.push('removed'));
    onAbort(ac.signal, () => calls.push('kept'));
    off();
    ac.abort();
    onAbort(ac.signal, () => calls.push('late'));
    expect(calls).toEqual(['kept', 'late']);
  });
});
