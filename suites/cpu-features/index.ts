import { defineSuite } from '../../src/suite-api/index.ts';
import { generationCase } from './generation-case.ts';
import { guestModels, guestViewCase } from './guest-view-case.ts';
import { modelsCase } from './models-case.ts';
import { poolCases } from './pool-case.ts';
import { cpuSettings } from './settings.ts';

/**
 * New CPUs: the host's generation and the flags it must have; which QEMU CPU models this host can run; what a guest
 * sees under each planned model; and the CPU model and machine type a pool of hosts can live-migrate with.
 * Plan: require.cpuFlags, require.cpuModels, matrix.cpuModels (guest view), settings.accel, settings.cpuPool.
 */
export default defineSuite({
  name: 'cpu-features',
  title: 'CPU features, QEMU CPU models and pool baseline',
  description:
    'CPU generation vs catalog, usable QEMU CPU models, guest CPU flags per model, pool CPU baseline and machine type.',
  shard: 'whole',
  facts: ['cpu', 'security', 'virt'],
  tags: ['cpu'],
  cases(host, plan) {
    const s = cpuSettings(plan);
    return [
      generationCase(s),
      modelsCase(s),
      ...guestModels(s).map((spec) => guestViewCase(s, spec)),
      ...poolCases(s, host, plan.hosts ?? [host]),
    ];
  },
});
