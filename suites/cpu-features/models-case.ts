import { errorCodeOf, type CaseContext, type CaseDef } from '../../src/suite-api/index.ts';
import {
  loadCpuCatalog,
  newestMachine,
  newestUsablePerVendor,
  unknownModelReason,
  usableNamedModels,
} from '../../src/suite-api/parsers.ts';
import { HwqualError } from '../../src/suite-api/index.ts';
import { hostQemuFacts } from './accel.ts';
import type { QemuCpuFacts } from '../../src/suite-api/vm.ts';
import type { CpuSettings } from './settings.ts';

/** This host's QEMU CPU facts, or a skip when a replayed host recorded no QMP conversation. */
export async function qemuFactsOrSkip(ctx: CaseContext, s: CpuSettings): Promise<QemuCpuFacts> {
  try {
    return await hostQemuFacts(ctx, ctx.transport, s.accel, ctx.host.facts.arch);
  } catch (err) {
    if (ctx.host.replayed && errorCodeOf(err) === 'E_NOT_RECORDED')
      return ctx.skip(`this replayed host recorded no QMP conversation: ${(err as Error).message}`);
    throw err;
  }
}

/**
 * require.machineTypes on this host: each must be offered by its QEMU (query-machines, aliases included). One the
 * QEMU marks deprecated passes and says so. Not knowing the host's machine types is missing data (an error).
 */
function checkMachineTypes(ctx: CaseContext, s: CpuSettings, q: QemuCpuFacts): void {
  if (!s.requiredMachineTypes.length) return;
  const qemu = `QEMU ${q.qemuVersion ?? '(version not recorded)'}`;
  if (!q.machines) {
    const why =
      q.machinesError === 'not recorded' && ctx.transport.replayedFrom
        ? `not recorded in ${ctx.transport.replayedFrom}: query-machines`
        : `query-machines failed: ${q.machinesError}`;
    throw new HwqualError(
      q.machinesError === 'not recorded' ? 'E_NOT_RECORDED' : 'E_VM',
      `cannot check require.machineTypes (${s.requiredMachineTypes.join(', ')}) on ${ctx.host.name}: ${why}`,
    );
  }
  for (const m of s.requiredMachineTypes) {
    const offered = q.machines.includes(m);
    if (offered && q.deprecatedMachines?.includes(m)) ctx.log(`machine type ${m} is deprecated by ${qemu}`);
    ctx.check.ok(`machine type ${m}`, offered, {
      expected: 'offered',
      actual: `not offered (newest q35: ${newestMachine(q.machines, 'q35') ?? 'none'})`,
      message: `${m} is not offered by ${qemu} on ${ctx.host.name}`,
    });
  }
}

/** Which named CPU models this host + accelerator can run, the newest per vendor, and the plan's required models. */
export function modelsCase(s: CpuSettings): CaseDef {
  return {
    id: 'qemu-models',
    title: 'CPU models QEMU can run on this host',
    tags: ['cpu', 'qemu'],
    readOnly: true,
    timeoutSec: 120,
    async run(ctx) {
      const q = await qemuFactsOrSkip(ctx, s);
      const catalog = loadCpuCatalog();
      const usable = usableNamedModels(q.definitions);
      const newest = newestUsablePerVendor(q.definitions, catalog.qemuModels);
      ctx.fact('qemuCpuModels', {
        qemu: q.qemuVersion ?? 'not recorded',
        accel: q.accel,
        answers: q.mode,
        newestPerVendor: Object.fromEntries(Object.values(newest).map((n) => [n.vendor, n.model])),
        usable,
        machineTypes: q.machines
          ? {
              q35: newestMachine(q.machines, 'q35') ?? 'none',
              i440fx: newestMachine(q.machines, 'i440fx') ?? 'none',
              deprecated: q.deprecatedMachines ?? [],
            }
          : `not recorded${q.machinesError && q.machinesError !== 'not recorded' ? ` (${q.machinesError})` : ''}`,
      });
      ctx.metric('cpu_models_known', q.definitions.length);
      ctx.metric('cpu_models_usable', usable.length);
      const newestNames =
        Object.values(newest)
          .map((n) => n.model)
          .join(', ') || 'none';
      ctx.log(
        `QEMU ${q.qemuVersion ?? '(version not recorded)'} under ${q.accel} (${q.mode}): ` +
          `${usable.length} of ${q.definitions.length} models usable; newest: ${newestNames}`,
      );
      checkMachineTypes(ctx, s, q);
      for (const name of s.requiredModels) {
        const def = q.definitions.find((d) => d.name === name);
        if (!def)
          ctx.check.ok(`model ${name}`, false, {
            expected: 'known to QEMU',
            actual: 'unknown',
            message: unknownModelReason(name, q.qemuVersion, catalog.qemuModels),
          });
        else
          ctx.check.ok(`model ${name}`, def.usable, {
            expected: 'usable',
            actual: `unavailable features: ${def.unavailable.join(' ')}`,
            message:
              `CPU model ${name} is not usable under ${q.accel} on ${ctx.host.name}: ` +
              `missing ${def.unavailable.join(', ')}`,
          });
      }
    },
  };
}
