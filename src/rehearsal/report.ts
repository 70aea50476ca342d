import { summarize, type CaseResult, type RunMeta, type RunResults } from '../model/result.ts';
import type { RehearsalReport, RehearsalStep } from './types.ts';

/** rehearsal.md and the JUnit cases of a rehearsal, from its report. Pure. */

const sec = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);
const ms = (v: number | undefined) => (v === undefined ? '-' : `${v} ms`);
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** `stalled: no bytes transferred…` — the outcome, and its diagnosis unless that starts with it already. */
export function outcomeText(outcome: string, diagnosis: string | undefined): string {
  if (!diagnosis) return outcome;
  return diagnosis.startsWith(`${outcome}:`) ? diagnosis : `${outcome}: ${diagnosis}`;
}

/** One line per guest: where its heartbeat says it runs (what a stopped rehearsal prints). */
export function formatLocations(r: RehearsalReport): string[] {
  return r.guests.map(
    (g) => `${g.name}: ${g.located?.heartbeat ? `runs on ${g.located.host}` : 'not located'} (${g.located?.detail})`,
  );
}

export function formatRehearsal(r: RehearsalReport): string {
  const g = r.guest;
  const lines = [
    `# Rolling-upgrade rehearsal: pool ${r.pool} → ${r.to}`,
    '',
    `**${r.outcome}** in ${sec(r.durationMs)} (${r.startedAt} – ${r.endedAt})` +
      (r.stoppedBy ? `; stopped by ${r.stoppedBy}` : '') +
      '.',
    '',
    `Lab \`${r.lab}\`. ${r.guests.length} workload guest(s) of ${g.memoryMiB} MiB (working set ${g.wssMiB} MiB ` +
      `rewritten at ${g.dirtyMiBps} MiB/s) under ${g.accel}, CPU model ${g.cpu.model} (${g.cpu.source}), ` +
      `machine type ${g.machine?.machine ?? 'none'}${g.machine ? ` (${g.machine.source})` : ''}.`,
    '',
    `Each host is re-imaged onto a fresh ${r.to} root (\`hwqual lab reimage\`), not upgraded in place with ` +
      "`apt dist-upgrade`; lab hosts share the lab machine's kernel, so the kernel is not part of the upgrade.",
    '',
    '| host | before | after |',
    '| --- | --- | --- |',
    ...r.hosts.map((h) => `| ${h.name} | ${h.before} | ${h.after} |`),
    '',
    '## Steps',
    '',
    '| # | step | status | time | figures | guests afterwards |',
    '| --- | --- | --- | --- | --- | --- |',
    ...r.steps.map(
      (s) =>
        `| ${s.n} | ${cell(s.title)} | ${s.status}${s.message ? `: ${cell(s.message)}` : ''} | ${sec(s.durationMs)} ` +
        `| ${cell(figures(s))} | ${Object.entries(s.placement)
          .map(([n, h]) => `${n} ${h}`)
          .join(', ')} |`,
    ),
    '',
    '## Migrations',
    '',
    '| step | guest | from → to | outcome | total | downtime | blackout |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...r.steps.flatMap((s) =>
      (s.hops ?? []).map(
        (h) =>
          `| ${s.n} | ${h.guest} | ${h.from} → ${h.to} | ${cell(outcomeText(h.outcome, h.diagnosis))} ` +
          `| ${ms(h.totalMs)} | ${ms(h.downtimeMs)} | ${ms(h.blackoutMs)} |`,
      ),
    ),
    '',
    '## Invariants',
    '',
    ...r.invariants.map((i) => `- ${i.ok ? 'holds' : '**does not hold**'}: ${i.name} — ${i.detail}`),
    '',
    '## Where the guests ran at the end (by heartbeat)',
    '',
    ...formatLocations(r).map((l) => `- ${l}`),
    '',
    `## ${r.teardown.kept ? 'Left running (--keep)' : 'Teardown'}`,
    '',
    ...r.teardown.detail.map((l) => `- ${l}`),
  ];
  return `${lines.join('\n')}\n`;
}

function figures(s: RehearsalStep): string {
  const parts: string[] = [];
  if (s.metrics.evacuation_ms !== undefined) parts.push(`evacuation ${sec(s.metrics.evacuation_ms)}`);
  if (s.metrics.reimage_ms !== undefined) parts.push(`re-image ${sec(s.metrics.reimage_ms)}`);
  for (const h of s.hops ?? []) parts.push(`${h.guest} downtime ${ms(h.downtimeMs)}, blackout ${ms(h.blackoutMs)}`);
  if (s.hostOs) parts.push(`os ${s.hostOs.os ?? '?'}, QEMU ${s.hostOs.qemu ?? '?'}; reports ${s.hostOs.reports}`);
  return parts.join('; ');
}

/**
 * The rehearsal as run results, for the JUnit reporter: one case per step, in order, then one per invariant, all in
 * one suite (`rehearsal@<pool>`), each with its checks as assertions and its figures as metrics.
 */
export function rehearsalResults(
  r: RehearsalReport,
  meta: Pick<RunMeta, 'harnessVersion' | 'gitCommit' | 'labSha256' | 'argv'>,
): RunResults {
  const base = (id: string, params: Record<string, string>) => ({
    id: `rehearsal/${id}[${Object.entries(params)
      .map(([k, v]) => `${k}=${v}`)
      .join(',')}]@${r.pool}`,
    suite: 'rehearsal',
    caseId: id,
    host: r.pool,
    params,
    tags: ['rehearsal'],
    severity: 'major' as const,
    attempts: 1,
    artifacts: [],
  });
  const steps: CaseResult[] = r.steps.map((s) => ({
    ...base(s.kind, { step: String(s.n).padStart(2, '0'), host: s.host }),
    title: s.title,
    status: s.status,
    ...(s.message && { message: s.message }),
    ...(s.errorCode && { errorCode: s.errorCode }),
    startedAt: s.startedAt,
    durationMs: s.durationMs,
    assertions: s.checks.map((c) => ({ name: c.name, passed: c.ok, actual: c.detail })),
    metrics: s.metrics,
  }));
  const invariants: CaseResult[] = r.invariants.map((i, k) => ({
    ...base('invariant', { n: String(k + 1) }),
    title: i.name,
    status: i.ok ? 'passed' : 'failed',
    ...(!i.ok && { message: i.detail }),
    durationMs: 0,
    assertions: [{ name: i.name, passed: i.ok, actual: i.detail }],
    metrics: {},
  }));
  const cases = [...steps, ...invariants];
  return {
    schemaVersion: 1,
    run: {
      plan: `rehearse ${r.pool} → ${r.to}`,
      startedAt: r.startedAt,
      endedAt: r.endedAt,
      harnessVersion: meta.harnessVersion,
      gitCommit: meta.gitCommit,
      labFile: r.lab,
      labSha256: meta.labSha256,
      planFile: '',
      planSha256: '',
      argv: meta.argv,
      interrupted: r.outcome === 'interrupted',
    },
    hosts: [{ name: r.pool, address: '', transport: 'ssh', labels: { pool: r.pool }, facts: {}, reachable: true }],
    cases,
    summary: summarize(cases),
  };
}
