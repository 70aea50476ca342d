import { HwqualError, type CaseContext, type CaseDef } from '../../src/suite-api/index.ts';
import {
  joinWhy,
  detectCcFeatures,
  missingCcFeatures,
  parseCpuinfo,
  parsePathListing,
  type CcFact,
  type CcInputs,
} from '../../src/suite-api/parsers.ts';
import { ENC_CMD, ENC_ROOT, type EncCommand } from './commands.ts';
import { askQemuCc } from './qmp-probe.ts';
import { readCommand } from './read.ts';
import type { EncryptionRequire } from './require.ts';

/**
 * SME, SEV, SEV-ES, SEV-SNP, TME, TDX and SGX as facts with their evidence (cpuinfo flags, kvm module parameters,
 * dmesg, QEMU over QMP, libvirt). The case fails only for a feature the plan requires (`require.cc`) that is not
 * enabled; everything else is reported.
 */
export function ccCase(req: EncryptionRequire): CaseDef {
  return {
    id: 'confidential-computing',
    title: 'Confidential computing: SME, SEV, SEV-ES, SEV-SNP, TME, TDX, SGX',
    tags: ['cc', 'security'],
    timeoutSec: 120,
    async run(ctx) {
      const { inputs, unread, needsRoot } = await gather(ctx);
      const facts = detectCcFeatures(inputs);
      ctx.fact(
        'cc',
        Object.fromEntries(
          facts.map((f) => [
            f.feature,
            { state: f.state, evidence: f.evidence.map((e) => `${e.source}: ${e.detail}`) },
          ]),
        ),
      );
      await ctx.artifact('cc-evidence.json', `${JSON.stringify({ facts, unread }, null, 2)}\n`);
      for (const f of facts) {
        const evidence = f.evidence.map((e) => `${e.source}: ${e.detail}`).join('; ');
        ctx.log(`${f.feature}: ${f.state}${evidence ? ` — ${evidence}` : ''}`);
      }
      for (const u of unread) ctx.log(`not read: ${u}`);
      ctx.metric('cc_features_enabled', facts.filter((f) => f.state === 'enabled').length);
      requireFeatures(ctx, facts, req.cc, unread, needsRoot);
    },
  };
}

function requireFeatures(
  ctx: CaseContext,
  facts: CcFact[],
  required: readonly string[],
  unread: string[],
  needsRoot: string[],
): void {
  const missing = missingCcFeatures(facts, required);
  // Evidence only root reads (dmesg) was not read: a feature not shown enabled may be enabled after all.
  if (missing.length && needsRoot.length)
    ctx.skip(
      `cannot tell whether ${missing.map((m) => m.feature).join(', ')} is enabled without what only root reads: ` +
        joinWhy(needsRoot),
    );
  const unknownOnReplay = missing.filter((m) => m.state === 'unknown' && ctx.host.replayed);
  if (unknownOnReplay.length) {
    throw new HwqualError(
      'E_NOT_RECORDED',
      `cannot tell whether ${unknownOnReplay.map((m) => m.feature).join(', ')} is enabled: the replayed profile does ` +
        `not hold the evidence (${unread.join('; ')})`,
      { host: ctx.host.name },
    );
  }
  for (const name of required) {
    const fact = facts.find((f) => f.feature === name);
    const evidence = fact?.evidence.length ? ` (${fact.evidence.map((e) => e.detail).join('; ')})` : ' (no evidence)';
    const actual = fact ? `${fact.state}${evidence}` : 'not a known feature';
    ctx.check.ok(`${name} enabled`, fact?.state === 'enabled', { expected: 'enabled', actual });
  }
}

async function gather(ctx: CaseContext): Promise<{ inputs: CcInputs; unread: string[]; needsRoot: string[] }> {
  const inputs: CcInputs = {};
  const unread: string[] = [];
  const needsRoot: string[] = [];
  const read = async (name: EncCommand, partial = false) => {
    const r = await readCommand(ctx, ENC_CMD[name], { partial, root: ENC_ROOT[name] });
    if (r.text === undefined && r.why) unread.push(r.why);
    if (r.needsRoot) needsRoot.push(r.needsRoot.message);
    return r.text;
  };
  const cpuinfo = await read('cpuinfo');
  if (cpuinfo !== undefined) inputs.cpuinfoFlags = parseCpuinfo(cpuinfo).flags ?? [];
  const amd = await read('kvmAmdParams', true);
  if (amd) inputs.kvmAmdParams = parsePathListing(amd);
  const intel = await read('kvmIntelParams', true);
  if (intel) inputs.kvmIntelParams = parsePathListing(intel);
  inputs.dmesg = await read('dmesg');
  if (ctx.host.facts.libvirt || ctx.host.replayed) inputs.domcapsXml = await read('virshDomcapabilities');
  try {
    const q = await askQemuCc(ctx.transport, { signal: ctx.signal, qemuBinary: ctx.host.facts.qemu?.binary });
    inputs.qmp = q;
    if (q.kvmRefused) ctx.log(`QEMU refused KVM, asked under TCG: ${q.kvmRefused}`);
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    unread.push(`QMP: ${(err as Error).message}`);
  }
  return { inputs, unread, needsRoot };
}
