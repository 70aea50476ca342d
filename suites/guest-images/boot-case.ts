import {
  checkGuestFlags,
  describeFlagMismatch,
  describeNotNamed,
  parseCpuSpec,
  recordFlagCheck,
} from '../../src/suite-api/parsers.ts';
import { type CaseDef, guestProblemLines, guestStep } from '../../src/suite-api/index.ts';
import { modelFeaturesOnce, resolveAccel } from '../../src/suite-api/vm.ts';
import { diskProblems, memoryProblem } from './guest-checks.ts';
import { bootGuest } from './launch.ts';
import type { GuestImageSettings, ImageChoice } from './settings.ts';
import { shutDownGuest } from './shutdown.ts';

/**
 * One image under one CPU model on one host: boots to ready within the timeout; the guest's CPU flags match what
 * QEMU says the model gives here (src/probe/guest-flag-check.ts); it sees its disks and memory; it shuts down
 * cleanly; no panic/oops/BUG line on its console. Metric boot_to_ready_s, fact guestImages.accel.
 * `checkAs` checks the guest's flags against another spec than the one booted (the negative test: a guest booted
 * as `max,-aes` checked as `max` must fail naming aes).
 */
export function bootCase(
  s: GuestImageSettings,
  image: ImageChoice,
  cpu: string,
  o: { checkAs?: string } = {},
): CaseDef {
  const checkAs = o.checkAs ?? cpu;
  const readySec = s.readyTimeoutSec ?? ('builtIn' in image && image.builtIn.startsWith('tiny') ? 120 : 300);
  return {
    id: 'boot',
    title: `${image.name} boots and runs under -cpu ${cpu}`,
    tags: ['guest', 'vm', 'image'],
    params: { image: image.name, cpuModel: cpu, ...(checkAs !== cpu && { checkAs }) },
    timeoutSec: s.caseTimeoutSec ?? readySec + s.shutdownTimeoutSec + 120,
    async run(ctx) {
      if (ctx.host.replayed) return ctx.skip('a replayed host cannot boot a guest');
      const { accel, kvm } = await resolveAccel(ctx.transport, s.accel, { signal: ctx.signal });
      ctx.fact('guestImages.accel', accel);
      if (kvm) ctx.fact('guestImages.kvmProbe', kvm);
      const { model } = parseCpuSpec(cpu);
      if (model === 'host' && accel !== 'kvm')
        return ctx.skip(`-cpu host needs KVM; this host runs guests under ${accel}`);
      const g = await bootGuest(ctx, image, { accel, cpu, s });
      ctx.metric('boot_to_ready_s', Math.round(g.bootMs) / 1000);
      ctx.log(`${image.name} under -cpu ${cpu} (${accel}) ready after ${(g.bootMs / 1000).toFixed(1)} s`);
      if (g.facts) {
        const mf = await modelFeaturesOnce(ctx.transport, parseCpuSpec(checkAs).model, accel, { signal: ctx.signal });
        const r = checkGuestFlags({
          spec: checkAs,
          modelFeatures: mf.features,
          guestFlags: g.facts.cpuFlags,
          guestKernel: g.facts.kernel,
        });
        ctx.metric('guest_flags', g.facts.cpuFlags.length);
        ctx.log(
          `${describeFlagMismatch(r)} ` +
            `(${r.expected.length} expected; unavailable here: ${mf.unavailable.join(' ') || 'none'})`,
        );
        const notNamed = describeNotNamed(r);
        if (notNamed) ctx.log(notNamed);
        recordFlagCheck(ctx.check, r);
        const disks = diskProblems(g.facts, g.disks);
        ctx.check.ok('guest sees its disks', disks.length === 0, {
          expected: g.disks.map((d) => `${d.name}:${d.sectors}`).join(','),
          actual: g.facts.blockDevices.map((b) => `${b.name}:${b.sectors}`).join(','),
          message: disks.join('; '),
        });
        const mem = memoryProblem(g.facts.memTotalKiB, g.memoryMiB);
        ctx.check.ok('guest sees its memory', !mem, {
          expected: `${g.memoryMiB} MiB`,
          actual: `${g.facts.memTotalKiB} KiB`,
          message: mem,
        });
      } else {
        ctx.log(
          `${image.name} prints no facts block and has no guest agent: CPU flags, disks and memory are not checked`,
        );
      }
      const down = await guestStep(g.vm, `shutting the guest down (${g.shutdownBy})`, () =>
        shutDownGuest(g, { timeoutMs: s.shutdownTimeoutSec * 1000, signal: ctx.signal }),
      );
      ctx.log(down.detail);
      const problems = guestProblemLines(g.vm.console.text);
      ctx.check.ok('no panic/oops/BUG lines on the console', problems.length === 0, {
        expected: 'none',
        actual: problems.join(' | '),
        message: `the guest console shows: ${problems[0]}`,
      });
      ctx.check.ok('clean shutdown', down.clean, {
        expected: 'QEMU exits after the guest powers off',
        actual: down.detail,
        message: down.detail,
      });
    },
  };
}
