import type { Handoff, PoolHandoff } from './handoff.ts';

/** The nova-compute.conf fragment of one pool: [libvirt] as nova-compute reads it, each line with its proof. Pure. */
export function novaConf(h: Handoff, p: PoolHandoff): string {
  const run = h.run;
  const lines = [
    `# hwqual: the Nova configuration of pool ${p.pool} (${p.hosts.join(', ')})`,
    `# run: plan ${run.plan}, started ${run.startedAt}, verdict ${run.verdict}`,
    `# lab sha256 ${run.labSha256}`,
    `# plan sha256 ${run.planSha256}`,
    ...(run.verdict === 'conditional' ? run.reasons.map((x) => `# waived: ${x}`) : []),
    '[libvirt]',
    '# the production value: Nova compares the CPU models with the host only under kvm',
    'virt_type = kvm',
    'cpu_mode = custom',
    `# ${p.provenBy}: ${p.cpuModels.map((m) => `${m.libvirt} = QEMU's ${m.qemu}`).join(', ')}, run by every host`,
    ...(p.refusedModels ?? []).map(
      (m) => `# not ${m.libvirt}: incompatible with the CPU of ${Object.keys(m.hosts).join(', ')} (virsh cpu-compare)`,
    ),
    `cpu_models = ${p.cpuModels.map((m) => m.libvirt).join(', ')}`,
  ];
  if (p.extraFlags.length)
    lines.push(
      `# ${p.provenBy}: every host gives these beyond the model; each is offered by a flavor (handoff.md)`,
      `cpu_model_extra_flags = ${p.extraFlags.join(', ')}`,
    );
  if (p.machineType)
    lines.push(
      `# ${p.provenBy}: the newest machine type every host's QEMU offers`,
      `hw_machine_type = x86_64=${p.machineType}`,
    );
  else lines.push(`# no hw_machine_type: ${p.machineNote}`);
  return `${lines.join('\n')}\n`;
}

/** handoff.md: what was written for each pool, the traits each host will report, the flavors, what is not offered. */
export function handoffMarkdown(h: Handoff): string {
  const out = [
    '# OpenStack hand-off',
    '',
    `Run: plan \`${h.run.plan}\`, started ${h.run.startedAt}, verdict **${h.run.verdict}**` +
      ` (lab sha256 \`${h.run.labSha256.slice(0, 12)}…\`, plan sha256 \`${h.run.planSha256.slice(0, 12)}…\`).`,
    '',
  ];
  for (const p of h.pools) {
    out.push(`## Pool ${p.pool}`, '', `Hosts: ${p.hosts.join(', ')}. Proven by \`${p.provenBy}\`.`, '');
    out.push(`- \`nova-compute-${p.pool}.conf\`: \`cpu_models = ${p.cpuModels.map((m) => m.libvirt).join(', ')}\``);
    for (const m of p.refusedModels ?? [])
      out.push(
        `- not \`${m.libvirt}\` (richer): libvirt finds it incompatible with the CPU of ` +
          Object.entries(m.hosts)
            .map(([h, why]) => `${h} (${why})`)
            .join(', '),
      );
    if (p.extraFlags.length) out.push(`- \`cpu_model_extra_flags = ${p.extraFlags.join(', ')}\``);
    out.push(p.machineType ? `- \`hw_machine_type = x86_64=${p.machineType}\`` : `- no machine type: ${p.machineNote}`);
    out.push('', '| host | CPU traits Nova will report |', '| --- | --- |');
    for (const [host, t] of Object.entries(p.traits)) out.push(`| ${host} | ${t.join(' ') || '(none)'} |`);
    out.push('', '### Flavors', '');
    out.push(
      `Every guest of the pool gets \`${p.cpuModels.map((m) => m.libvirt).join(', ')}\`` +
        (p.extraFlags.length ? ` and the extra flags (${p.extraFlags.join(', ')})` : '') +
        ': no flavor is needed for them. Do not write a flavor that requires one of their traits: Nova matches ' +
        '`trait:…=required` against the `cpu_models` entries only (`_match_cpu_model_by_flags`), so such an ' +
        'instance schedules and then fails to spawn ("No CPU model match traits").',
      '',
    );
    if (!p.flavors.length) out.push('No flavor is needed for this pool.');
    for (const f of p.flavors)
      out.push(
        `- ${f.feature}: extra specs ${Object.entries(f.extraSpecs)
          .map(([k, v]) => `\`${k}=${v}\``)
          .join(', ')}` +
          (Object.keys(f.imageProperties).length
            ? `; image properties ${Object.entries(f.imageProperties)
                .map(([k, v]) => `\`${k}=${v}\``)
                .join(', ')}`
            : ''),
      );
    if (p.notOffered.length) {
      out.push('', '### Not offered (not on every host of the pool)', '');
      for (const n of p.notOffered)
        out.push(`- ${n.feature}${n.trait ? ` (${n.trait})` : ''}: ${n.lackedBy.join(', ')} lacks it`);
    }
    if (p.flagsUnknown?.length)
      out.push(
        '',
        `The run recorded no CPU flags for ${p.flagsUnknown.join(', ')}: features beyond the pool's model are judged ` +
          'on the other hosts only (run cpu-features, or gather the cpu facts, to include them).',
      );
    out.push('');
  }
  return `${out.join('\n')}\n`;
}
