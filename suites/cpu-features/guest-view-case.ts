import { canonicalFeature, expansionFeatures } from '../../src/probe/qmp-cpu.ts';
import { expectedGuestFlags, qemuToLinux } from '../../src/probe/cpu-flag-names.ts';
import type { CaseDef } from '../../src/suite-api/index.ts';
import { bootImage } from '../../src/vm/images/boot.ts';
import { ensureImage } from '../../src/vm/images/builder.ts';
import { accelFor } from './accel.ts';
import type { CpuSettings } from './settings.ts';

/** `Skylake-Server,+aes,-avx512f` → the model and the features added and removed. */
export function parseCpuSpec(spec: string): { model: string; plus: string[]; minus: string[] } {
  const [model, ...mods] = spec.split(',').map((s) => s.trim()).filter(Boolean);
  const pick = (sign: string) => mods.filter((m) => m.startsWith(sign) || (sign === '+' && /=on$/.test(m)) || (sign === '-' && /=off$/.test(m)))
    .map((m) => canonicalFeature(m.replace(/^[+-]/, '').replace(/=(on|off)$/, '')));
  return { model, plus: pick('+'), minus: pick('-') };
}

/** The guest models: the plan's, then max, then host (only run where KVM works). */
export function guestModels(s: CpuSettings): string[] {
  return [...new Set([...s.guestModels, 'max', 'host'])];
}

/**
 * Boot the tiny guest with one CPU model and compare its /proc/cpuinfo flags with what QEMU says the model gives
 * here: the model's static expansion, minus the features this host + accelerator cannot give (query-cpu-definitions),
 * plus/minus the spec's own `+feat`/`-feat`. A removed feature must be absent in the guest.
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
      if (model === 'host' && accel !== 'kvm') return ctx.skip(`-cpu host needs KVM; this host runs guests under ${accel}`);
      const image = await ensureImage('tiny');
      const { vm, facts } = await bootImage(ctx.transport, image, { accel, cpu: spec, run: 'idle', name: `cpu-${model}`, signal: ctx.signal });
      ctx.defer(() => vm.teardown());
      await ctx.artifact('console.log', vm.console.text);
      if (!facts) return ctx.fail('the guest printed no facts block');
      const expansion = await vm.qmp.queryCpuModelExpansion('static', { name: model });
      const def = (await vm.qmp.queryCpuDefinitions()).find((d) => d.name === model);
      const unavailable = new Set((def?.['unavailable-features'] ?? []).map(canonicalFeature));
      const features = new Set(expansionFeatures(expansion.model.props).filter((f) => !unavailable.has(f)));
      for (const f of plus) features.add(f);
      for (const f of minus) features.delete(f);
      const { expected, mayHide } = expectedGuestFlags(features);
      const removed = minus.flatMap(qemuToLinux);
      const guest = facts.cpuFlags;
      ctx.metric('guest_flags', guest.length);
      ctx.metric('expected_flags', expected.length);
      ctx.fact(`guestView.${spec}`, { accel, guestFlags: guest.length, expected: expected.length, unavailableHere: [...unavailable], mayHide });
      ctx.log(`-cpu ${spec} under ${accel}: ${features.size} QEMU features, ${expected.length} expected in the guest (${mayHide.length} the kernel may hide: ${mayHide.join(' ')}); the guest shows ${guest.length}`);
      ctx.check.includesAll(`guest flags under -cpu ${spec}`, guest, expected);
      for (const f of removed) ctx.check.ok(`${f} removed`, !guest.includes(f), { expected: 'absent', actual: 'present', message: `-cpu ${spec} removes ${f}, but the guest shows it` });
    },
  };
}
