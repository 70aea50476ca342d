import { HwqualError, poll } from '../../src/suite-api/index.ts';
import type { BootedGuest } from './launch.ts';

export interface ShutdownOutcome {
  clean: boolean;
  ms: number;
  detail: string;
}

/**
 * Shut the guest down from the inside and wait for QEMU to exit by itself (the VM runs with -no-reboot): the tiny
 * init powers off after its facts; a guest agent gets guest-shutdown; others get an ACPI power button. A panic on
 * the way is a GuestPanicError (→ failed, quoting the line).
 */
export async function shutDownGuest(
  g: BootedGuest,
  o: { timeoutMs: number; signal: AbortSignal },
): Promise<ShutdownOutcome> {
  const { vm } = g;
  const t0 = performance.now();
  let agentAnswer = '';
  if (g.shutdownBy === 'tiny-init') {
    await vm.waitForConsole(/HWQUAL-POWEROFF/, { timeoutMs: o.timeoutMs, signal: o.signal }).catch(notGone);
  } else if (g.shutdownBy === 'guest-agent') {
    const agent = await vm.guestAgent({ signal: o.signal });
    // guest-shutdown sends no reply when it works (the agent goes away with the guest): a timeout here is normal.
    // The first guest-sync on a new connection can take seconds under TCG, hence the generous timeout.
    agentAnswer = await agent
      .execute(
        'guest-shutdown',
        { mode: 'powerdown' },
        { timeoutMs: Math.min(30_000, o.timeoutMs / 2), signal: o.signal },
      )
      .then(
        (ret) => `answered ${JSON.stringify(ret)}`,
        (err: Error) => `no answer (${err.message})`,
      );
    agent.close();
  } else {
    await vm.qmp.execute('system_powerdown', undefined, { timeoutMs: 10_000, signal: o.signal });
  }
  const halfway = Date.now() + o.timeoutMs / 2;
  let fallback = g.shutdownBy !== 'guest-agent'; // only a guest-agent shutdown gets the ACPI fallback
  const exited = async () => {
    if (!(await vm.isAlive())) return true;
    if (!fallback && Date.now() > halfway) {
      // Half the time gone: press the ACPI power button too (recorded in the detail; the shutdown still counts).
      fallback = true;
      await vm.qmp.execute('system_powerdown', undefined, { timeoutMs: 10_000, signal: o.signal }).catch(() => {});
    }
    return undefined;
  };
  if (!(await poll(exited, { timeoutMs: o.timeoutMs, everyMs: 250, signal: o.signal }))) {
    await vm.console.poll().catch(() => {});
    return {
      clean: false,
      ms: performance.now() - t0,
      detail:
        `QEMU still runs ${Math.round(o.timeoutMs / 1000)} s after the ${how(g)}` +
        `${agentAnswer && ` (guest-shutdown: ${agentAnswer})`}; ${vm.console.tail(3)}`,
    };
  }
  await vm.console.poll().catch(() => {});
  const also = fallback && g.shutdownBy === 'guest-agent' ? ' (the ACPI power button was pressed too, half-way)' : '';
  return {
    clean: true,
    ms: performance.now() - t0,
    detail: `QEMU exited ${Math.round(performance.now() - t0)} ms after the ${how(g)}${also}`,
  };
}

function how(g: BootedGuest): string {
  return g.shutdownBy === 'tiny-init'
    ? "guest's poweroff"
    : g.shutdownBy === 'guest-agent'
      ? 'guest-shutdown request'
      : 'ACPI power button';
}

/** QEMU exiting before the poweroff line counts as "gone": the exit wait below decides. Anything else propagates. */
function notGone(err: unknown): void {
  if (err instanceof HwqualError && err.code === 'E_VM') return;
  throw err;
}
