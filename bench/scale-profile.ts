// The replayed host of the scale bench: this machine's recorded profile (fixtures/hosts/this-machine-debian12)
// plus the host checks' commands, answered live by this machine once (LocalTransport) — the same real answers for
// every replayed host. Scale test only: the report labels these hosts as replayed fakes of one real machine.
import { resolve } from 'node:path';
import { CMD } from '../src/probe/commands.ts';
import { loadProfile, type CommandEntry, type HostProfile } from '../src/transport/profile.ts';
import { LocalTransport } from '../src/transport/local.ts';
import type { HostCheck } from '../suites/host-checks/checks-file.ts';

export const BASE_PROFILE = resolve(import.meta.dirname, '../fixtures/hosts/this-machine-debian12');

const ANSWERED_HERE = 'the host checks and `id`, `id -un` answered live by this machine (scale bench)';

export async function scaleProfile(checks: HostCheck[]): Promise<HostProfile> {
  const base = await loadProfile(BASE_PROFILE);
  const local = new LocalTransport('local');
  // Who hwqual is on the host (facts.extra.access): a profile recorded today holds these; the base was recorded
  // before hwqual asked, and without them every replayed host would answer "not recorded" twice.
  const asked = [...checks.map((c) => c.cmd), CMD.login, CMD.rootUser];
  // A few at a time (they only read): set-up of the bench, not what it measures.
  const answers: CommandEntry[] = new Array(asked.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      for (let i = next++; i < asked.length; i = next++) {
        const cmd = asked[i]!;
        const r = await local.exec(cmd, { timeoutMs: 60_000 });
        answers[i] = {
          command: cmd,
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

/**
 * The scale bench's hardware generations: every host is labelled `hardware: <generation>` by its index (a quarter
 * each), and two generations answer one host check differently — a FAULT INJECTED for the bench, so the report has
 * failures shared by thousands of hosts to group (the labels and faults are the bench's, not a real machine's).
 */
export const GENERATIONS = ['gen1', 'gen2', 'gen3', 'gen4'] as const;
export const INJECTED: Readonly<
  Record<string, { check: string; answer: Pick<CommandEntry, 'stdout' | 'stderr' | 'exitCode'> }>
> = {
  gen2: { check: 'cpu-flag-avx2', answer: { stdout: '', stderr: '', exitCode: 1 } },
  gen4: {
    check: 'cryptsetup',
    answer: { stdout: '', stderr: 'cryptsetup: not installed (injected by the scale bench)', exitCode: 1 },
  },
};

/** The profile a host of `generation` answers from: the base, or the base with that generation's injected answer. */
export function generationProfile(base: HostProfile, checks: HostCheck[], generation: string): HostProfile {
  const fault = INJECTED[generation];
  if (!fault) return base;
  const cmd = checks.find((c) => c.id === fault.check)?.cmd;
  if (!cmd) throw new Error(`scale bench: no host check ${fault.check}`);
  return {
    ...base,
    meta: { ...base.meta, name: `${base.meta.name}-${generation}` },
    commands: base.commands.map((e) => (e.command === cmd ? { ...e, ...fault.answer } : e)),
  };
}
