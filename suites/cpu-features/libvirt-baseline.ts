import {
  HwqualError,
  type CaseContext,
  type ExecResult,
  type HostInfo,
  type Transport,
} from '../../src/suite-api/index.ts';
import {
  baselineInput,
  compareBaselines,
  hostModelCpu,
  namedCpu,
  parseBaselineCpu,
  parseDomCapabilities,
  poolLibvirtModelName,
  type BaselineAnswer,
  type PoolBaseline,
} from '../../src/suite-api/parsers.ts';
import { accelFor } from './accel.ts';
import type { CpuSettings } from './settings.ts';

/**
 * With `driver: libvirt` the pool case also asks libvirt: each member's CPU definition — its host-model under KVM
 * (the hardware), its richest usable model under TCG (host-model describes the hardware, not what TCG gives) — goes
 * to `virsh hypervisor-cpu-baseline` on every member (libvirt 9.0 and 11.3 may answer differently), and each answer
 * is compared with hwqual's model through the name map. Each real difference is its own check with both answers.
 */
export async function libvirtBaselineChecks(
  ctx: CaseContext,
  s: CpuSettings,
  members: readonly { info: HostInfo; transport: Transport }[],
  b: PoolBaseline,
): Promise<PoolLibvirtModel | undefined> {
  const accel = await accelFor(members[0]!.transport, s.accel, ctx.signal);
  const virttype = accel === 'kvm' ? 'kvm' : 'qemu';
  const caps = await Promise.all(
    members.map(async (m) => {
      const r = await m.transport.exec(`virsh -q domcapabilities --virttype ${virttype}`, {
        timeoutMs: 30_000,
        signal: ctx.signal,
        readOnly: true,
      });
      if (r.exitCode !== 0)
        throw new HwqualError(
          'E_COMMAND',
          `driver libvirt: virsh domcapabilities on ${m.info.name}: ${r.stderr.trim()}`,
          {
            host: m.info.name,
          },
        );
      return { host: m.info.name, xml: r.stdout, parsed: parseDomCapabilities(r.stdout) };
    }),
  );
  const pool = caps.map((c) => ({ host: c.host, models: c.parsed.customModels }));
  const defs = caps.map((c) => {
    if (virttype === 'kvm') return { host: c.host, cpu: hostModelCpu(c.xml) };
    const best = b.rows.find((r) => r.host === c.host)?.bestModel;
    const name = best ? poolLibvirtModelName(best, pool) : undefined;
    return {
      host: c.host,
      cpu: name?.name ? namedCpu(name.name) : undefined,
      why: name && 'problem' in name ? name.problem : undefined,
      best,
    };
  });
  const missing = defs.filter((d) => !d.cpu);
  for (const d of missing)
    ctx.check.ok(`libvirt can name ${d.host}'s CPU for the pool baseline`, false, {
      message:
        `${d.host}: ` +
        ('best' in d
          ? `best model ${d.best ?? 'none'}: ${d.why ?? 'no name'}`
          : 'its domcapabilities have no host-model'),
    });
  if (missing.length) return undefined;
  const input = baselineInput(defs.map((d) => ({ host: d.host, cpu: d.cpu! })));
  const answers: BaselineAnswer[] = await Promise.all(
    members.map(async (m) => {
      const r = await virshOnXml(ctx, m, `hypervisor-cpu-baseline --virttype ${virttype}`, input);
      const version = m.info.facts.libvirt?.version;
      return r.exitCode === 0
        ? { host: m.info.name, libvirtVersion: version, cpu: parseBaselineCpu(r.stdout) }
        : { host: m.info.name, libvirtVersion: version, error: r.stderr.trim().replace(/^error:\s*/gm, '') };
    }),
  );
  const cmp = compareBaselines(b.model, answers, new Map(pool.map((p) => [p.host, p.models])));
  await ctx.artifact(
    'libvirt-baseline.json',
    `${JSON.stringify({ virttype, input, answers, comparison: cmp }, null, 2)}\n`,
  );
  ctx.fact(
    'cpuPool.libvirtBaseline',
    cmp.map((c) => ({ host: c.host, libvirt: c.libvirt, same: c.same })),
  );
  for (const c of cmp) {
    ctx.log(c.detail);
    ctx.check.ok(`libvirt on ${c.host} agrees with hwqual's pool model`, c.same, {
      expected: c.hwqual ?? 'a model',
      actual: c.libvirt ? `${c.libvirt} (${c.libvirtAsQemu})` : 'none',
      message: c.detail,
    });
  }
  return b.model ? await modelFeatures(ctx, members, await handoffModel(ctx, members, b, pool), pool) : undefined;
}

/**
 * The pool's model as every member's libvirt names it, and the features each member's libvirt expands it to —
 * what Nova reports traits from in `cpu_mode = custom` (_get_cpu_traits: baselineCPU of the host CPU with the
 * configured model and no features, EXPAND_FEATURES), so `hwqual openstack` can predict them offline.
 */
export interface PoolLibvirtModel {
  qemu: string;
  libvirt?: string;
  problem?: string;
  /**
   * Richer models of the pool that libvirt found incompatible with some member's own CPU (`virsh cpu-compare`, as
   * Nova's start-up check does under `virt_type = kvm`): on a host that runs guests under TCG the pool's model is
   * what TCG emulates, which the hardware may not have. `qemu` is then the richest model every member's CPU accepts.
   */
  refusedByHostCpu?: Array<{ qemu: string; libvirt: string; hosts: Record<string, string> }>;
  /** Per member: libvirt's expanded feature names, or virsh's words. */
  features: Record<string, string[] | { error: string }>;
}

async function modelFeatures(
  ctx: CaseContext,
  members: readonly { info: HostInfo; transport: Transport }[],
  chosen: { qemu: string; refused: NonNullable<PoolLibvirtModel['refusedByHostCpu']> },
  pool: Parameters<typeof poolLibvirtModelName>[1],
): Promise<PoolLibvirtModel> {
  const qemuModel = chosen.qemu;
  const refused = chosen.refused.length ? { refusedByHostCpu: chosen.refused } : {};
  const name = poolLibvirtModelName(qemuModel, pool);
  if (!name.name)
    return { qemu: qemuModel, problem: 'problem' in name ? name.problem : 'no name', features: {}, ...refused };
  const features: PoolLibvirtModel['features'] = {};
  for (const m of members) {
    const r = await virshOnXml(ctx, m, 'cpu-baseline --features', bareModelXml(name.name));
    features[m.info.name] =
      r.exitCode === 0
        ? parseBaselineCpu(r.stdout)
            .features.filter((f) => f.policy !== 'disable')
            .map((f) => f.name)
            .sort()
        : { error: r.stderr.trim().replace(/^error:\s*/gm, '') };
  }
  return { qemu: qemuModel, libvirt: name.name, features, ...refused };
}

/**
 * The model the OpenStack hand-off names: the pool's model when libvirt finds it compatible with every member's own
 * CPU (`virsh cpu-compare`: Nova's `_check_cpu_compatibility` under `virt_type = kvm` compares the same way), else
 * the richest of the pool's fallbacks that is — each refused one recorded with libvirt's words per host. Under KVM
 * the pool's model is usable on the hardware and passes at once; under TCG it is what TCG emulates.
 */
async function handoffModel(
  ctx: CaseContext,
  members: readonly { info: HostInfo; transport: Transport }[],
  b: PoolBaseline,
  pool: Parameters<typeof poolLibvirtModelName>[1],
): Promise<{ qemu: string; refused: NonNullable<PoolLibvirtModel['refusedByHostCpu']> }> {
  const refused: NonNullable<PoolLibvirtModel['refusedByHostCpu']> = [];
  const tried = new Set<string>();
  for (const qemu of [b.model!, ...(b.fallbacks ?? []).filter((m) => m !== b.model)]) {
    const name = poolLibvirtModelName(qemu, pool).name;
    if (!name || tried.has(name)) continue; // QEMU's aliases (Opteron_G2, Opteron_G2-v1) are one libvirt model
    tried.add(name);
    const answers = await Promise.all(members.map(async (m) => [m.info.name, await cpuCompare(ctx, m, name)] as const));
    const no = answers.filter(([, a]) => !a.compatible);
    if (!no.length) {
      if (refused.length)
        ctx.log(
          `hand-off model: ${name} (QEMU's ${qemu}), the richest the CPU of every member accepts; refused: ` +
            refused
              .map(
                (r) =>
                  `${r.libvirt} (${Object.entries(r.hosts)
                    .map(([h, w]) => `${h}: ${w}`)
                    .join('; ')})`,
              )
              .join(', '),
        );
      return { qemu, refused };
    }
    refused.push({ qemu, libvirt: name, hosts: Object.fromEntries(no.map(([h, a]) => [h, a.answer])) });
  }
  ctx.log(`hand-off model: no model of the pool is compatible with every member's CPU; keeping ${b.model}`);
  return { qemu: b.model!, refused };
}

/** `virsh cpu-compare` of a bare named model against the host's CPU: compatible (identical or superset) or not. */
async function cpuCompare(
  ctx: CaseContext,
  m: { info: HostInfo; transport: Transport },
  model: string,
): Promise<{ compatible: boolean; answer: string }> {
  const r = await virshOnXml(ctx, m, 'cpu-compare', bareModelXml(model));
  const answer =
    `${r.stdout}${r.stderr}`
      .trim()
      .replace(/^error:\s*/gm, '')
      .split('\n')[0] ?? '';
  return { compatible: r.exitCode === 0 && /identical|superset/i.test(answer), answer };
}

/** A host-CPU definition of one bare named model: what Nova hands libvirt to expand or compare. Pure. */
function bareModelXml(model: string): string {
  return `<cpu><arch>x86_64</arch><model>${model}</model></cpu>\n`;
}

/**
 * `virsh -q <subcommand> <file>` on a member with `xml` written to a file there (removed by the same command). The
 * case's own host runs it through ctx.exec, so it lands in the case's transcript; a peer through its own transport.
 */
async function virshOnXml(
  ctx: CaseContext,
  m: { info: HostInfo; transport: Transport },
  subcommand: string,
  xml: string,
): Promise<ExecResult> {
  const file = `/tmp/hwqual-virsh-${process.pid}-${subcommand.split(' ')[0]}.xml`;
  await m.transport.writeFile(file, xml, { signal: ctx.signal, timeoutMs: 15_000 });
  const command = `virsh -q ${subcommand} ${file}; rc=$?; rm -f ${file}; exit $rc`;
  return m.info.name === ctx.host.name
    ? ctx.exec(command, { timeout: 60 })
    : m.transport.exec(command, { timeoutMs: 60_000, signal: ctx.signal });
}
