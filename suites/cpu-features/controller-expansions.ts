import { LocalTransport } from '../../src/suite-api/index.ts';
import { expandOrUndefined, openQmpProbe } from '../../src/suite-api/vm.ts';

/**
 * Static CPU model expansions from a QEMU on the controller (this machine, `-machine none -accel tcg`), for replayed
 * hosts whose recordings hold none. A static expansion depends on the QEMU version, not on the host, so it stands in
 * for a replayed host's QEMU only as a labelled approximation (`from` says which QEMU it was).
 */
export interface ControllerExpansions {
  from: string;
  expansions: Record<string, string[]>;
}

/** Answers so far, per model (null: this QEMU does not know the model). Asked once per process. */
const known = new Map<string, string[] | null>();
let version: string | undefined;

export async function controllerExpansions(
  models: readonly string[],
  signal?: AbortSignal,
): Promise<ControllerExpansions> {
  const todo = models.filter((m) => !known.has(m));
  if (todo.length) {
    const probe = await openQmpProbe(new LocalTransport('controller'), { accel: 'tcg', signal });
    try {
      const v = probe.qmp.greeting?.QMP.version.qemu;
      if (v) version = `${v.major}.${v.minor}.${v.micro}`;
      for (const m of todo) known.set(m, (await expandOrUndefined(probe.qmp, m)) ?? null);
    } finally {
      await probe.close();
    }
  }
  const expansions = Object.fromEntries(
    models.flatMap((m) => {
      const e = known.get(m);
      return e ? [[m, e]] : [];
    }),
  );
  return { from: `the controller's QEMU ${version ?? '(version unknown)'} (-machine none -accel tcg)`, expansions };
}
