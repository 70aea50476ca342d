import { afterEach, describe, expect, it } from 'vitest';
import { installInterruptHandler } from '../../src/cli/signals.ts';
import { registerEmergencyCleanup } from '../../src/util/emergency.ts';

/** The interrupt handler with its exit caught: the signals are emitted on this process (no real signal is sent). */
describe('SIGINT, then SIGINT again', () => {
  let uninstall = () => {};
  afterEach(() => uninstall());

  it('first aborts the run; second runs the emergency cleanups, then the forced reports, then exits 130', async () => {
    const controller = new AbortController();
    const order: string[] = [];
    const exited = new Promise<number>((resolve) => {
      const h = installInterruptHandler(
        controller,
        (m) => order.push(m.split(' — ')[0]!),
        (code) => resolve(code),
      );
      uninstall = h.uninstall;
      h.onForced(async () => {
        order.push('reports');
      });
    });
    const off = registerEmergencyCleanup(() => order.push('kill remote commands'));
    process.emit('SIGINT', 'SIGINT');
    expect(controller.signal.aborted).toBe(true);
    process.emit('SIGINT', 'SIGINT');
    expect(await exited).toBe(130);
    off();
    expect(order).toEqual(['hwqual: SIGINT', 'hwqual: SIGINT again', 'kill remote commands', 'reports']);
  });

  it('a forced finish that hangs does not hold the exit beyond its bound', async () => {
    const t0 = Date.now();
    const exited = new Promise<number>((resolve) => {
      const h = installInterruptHandler(new AbortController(), () => {}, resolve);
      uninstall = h.uninstall;
      h.onForced(() => new Promise(() => {}));
    });
    process.emit('SIGTERM', 'SIGTERM');
    process.emit('SIGTERM', 'SIGTERM');
    expect(await exited).toBe(130);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
