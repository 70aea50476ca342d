// The replayed host of the scale bench: this machine's recorded profile (fixtures/hosts/this-machine-debian12)
// plus the host checks' commands, answered live by this machine once (LocalTransport) — the same real answers for
// every replayed host. Scale test only: the report labels these hosts as replayed fakes of one real machine.
import { resolve } from 'node:path';
import { loadProfile, type CommandEntry, type HostProfile } from '../src/transport/profile.ts';
import { LocalTransport } from '../src/transport/local.ts';
import type { HostCheck } from '../suites/host-checks/checks-file.ts';

export const BASE_PROFILE = resolve(import.meta.dirname, '../fixtures/hosts/this-machine-debian12');

const ANSWERED_HERE = 'the host checks answered live by this machine (scale bench)';

export async function scaleProfile(checks: HostCheck[]): Promise<HostProfile> {
  const base = await loadProfile(BASE_PROFILE);
  const local = new LocalTransport('local');
  // A few at a time (they only read): set-up of the bench, not what it measures.
  const answers: CommandEntry[] = new Array(checks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      for (let i = next++; i < checks.length; i = next++) {
        const c = checks[i]!;
        const r = await local.exec(c.cmd, { timeoutMs: 60_000 });
        answers[i] = {
          command: c.cmd,
          stdout: r.stdout,
          stderr: r.stderr,
          exitCode: r.exitCode,
          durationMs: r.durationMs,
          recordedAt: r.startedAt,
          host: 'local',
        };
      }
    }),
  );
  return {
    ...base,
    meta: {
      ...base.meta,
      name: 'scale-replay',
      description: `${base.meta.description ?? base.meta.name} + ${ANSWERED_HERE}`,
    },
    commands: [...base.commands, ...answers],
  };
}
