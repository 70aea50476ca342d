import type { CaseDef } from '../../src/suite-api/index.ts';
import type { PoolHandoff } from '../../src/suite-api/openstack.ts';
import { answered, askNova } from './nova.ts';

/**
 * nova-config: the pool's fragment as nova-compute would start with it on this host — Nova's own
 * `LibvirtDriver._check_cpu_compatibility()` against this host's libvirt (every `cpu_models` entry known to libvirt
 * and, under `virt_type = kvm`, compared with the host CPU together with `cpu_model_extra_flags`). Nova's exception
 * fails the case with Nova's words; Nova not installed skips it, saying so.
 */
export function novaConfigCase(pool: PoolHandoff, fragment: string): CaseDef {
  return {
    id: 'nova-config',
    title: `Nova accepts pool ${pool.pool}'s nova-compute.conf on this host`,
    params: { pool: pool.pool },
    tags: ['openstack', 'nova'],
    readOnly: true,
    async run(ctx) {
      const a = answered(ctx, await askNova(ctx, 'config', fragment));
      const models = pool.cpuModels.map((m) => m.libvirt).join(', ');
      if (a.error) ctx.fail(`Nova ${a.nova} refuses pool ${pool.pool}'s fragment: ${a.error.type}: ${a.error.message}`);
      ctx.check.ok(`Nova's _check_cpu_compatibility() accepts cpu_models = ${models}`, a.ok === true, {
        expected: 'ok',
        actual: JSON.stringify(a),
      });
    },
  };
}
