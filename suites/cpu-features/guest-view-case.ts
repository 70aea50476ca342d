import { checkGuestFlags, describeNotNamed, parseCpuSpec, recordFlagCheck } from '../../src/suite-api/parsers.ts';
import type { CaseDef } from '../../src/suite-api/index.ts';
import { bootImage, ensureImage, queryModelFeatures } from '../../src/suite-api/vm.ts';
import { accelFor } from './accel.ts';
import type { CpuSettings } from './settings.ts';

export { parseCpuSpec };

/** The guest models: the plan's, then max, then host (only run where KVM works). */
export function guestModels(s: CpuSettings): string[] {
  return [...new Set([...s.guestModels, 'max', 'host'])];
}

/**
 * Boot the tiny guest with one CPU model and compare its /proc/cpuinfo flags with what QEMU says the model gives
 * here: the model's static expansion, minus the features this host + accelerator cannot give (query-cpu-definitions),
 * plus/minus the spec's own `+feat`/`-feat`. A removed feature must be absent in the guest. A flag the guest's kernel
 * release does not print in /proc/cpuinfo is not required, and the log lists it.
 */
export function guestViewCase(s: CpuSettings, spec: string): CaseDef {
  return {
    id: 'guest-view',
    title: `Guest sees the CPU flags of ${spec}`,
    tags: ['cpu', 'guest', 'vm'],
    params: { cpuModel: spec },
    timeoutSec: 180,
    async run(ctx) {
      if (ctx.host.replayed) return ctx.skip('a replayed host cannot boot a guest');
      const accel = await accelFor(ctx.transport, s.accel, ctx.signal);
      const { model, plus, minus } = parseCpuSpec(spec);
      if (model === 'host' && accel !== 'kvm')
        return ctx.skip(`-cpu host needs KVM; this host runs guests under ${accel}`);
      const image = await ensureImage('tiny');
      const { vm, facts } = await bootImage(ctx.transport, image, {
        accel,
        cpu: spec,
        run: 'idle',
        name: `cpu-${model}`,
        signal: ctx.signal,
        driver: s.driver,
      });
      ctx.defer(() => vm.teardown());
      await ctx.artifact('console.log', vm.console.text);
      if (!facts) return ctx.fail('the guest printed no facts block');
      const { features, unavailable } = await queryModelFeatures(vm.qmp, model, accel);
      const r = checkGuestFlags({
        spec,
        modelFeatures: features,
        guestFlags: facts.cpuFlags,
        guestKernel: facts.kernel,
      });
      const guest = facts.cpuFlags;
      ctx.metric('guest_flags', guest.length);
      ctx.metric('expected_flags', r.expected.length);
      ctx.fact(`guestView.${spec}`, {
        accel,
        guestFlags: guest.length,
        expected: r.expected.length,
        unavailableHere: unavailable,
        mayHide: r.mayHide,
        guestKernel: facts.kernel ?? null,
        notNamedByGuestKernel: r.notNamed,
      });
      ctx.log(
        `-cpu ${spec} under ${accel}: ${features.length + plus.length - minus.length} QEMU features, ` +
          `${r.expected.length} expected in the guest ` +
          `(${r.mayHide.length} the kernel may hide: ${r.mayHide.join(' ')}); the guest shows ${guest.length}`,
      );
      const notNamed = describeNotNamed(r);
      if (notNamed) ctx.log(notNamed);
      recordFlagCheck(ctx.check, r);
    },
  };
}
