import { messageOf } from '../../model/errors.ts';
import { shellQuote } from '../shell.ts';
import { sleep } from '../wait.ts';
import type { GuestHandle } from './guest.ts';
import { analyzeHeartbeats, type LineCollector } from './heartbeat.ts';
import type { HopReport, VerdictCheck } from './report.ts';

async function until(what: () => boolean, ms: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!what()) {
    if (Date.now() > deadline) return false;
    await sleep(50, signal);
  }
  return true;
}

/** Whether a QEMU of this VM's work dir is left on its host; undefined when the host cannot be asked. */
export async function qemuLeft(g: GuestHandle): Promise<boolean | undefined> {
  const dir = shellQuote(g.vm.paths.workDir);
  try {
    const r = await g.vm.transport.exec(`for p in $(pgrep -f -- ${dir}); do case "$(cat /proc/$p/comm 2>/dev/null)" in qemu*) echo $p;; esac; done; test -e ${dir} && echo dir`, { timeoutMs: 10_000 });
    return r.stdout.trim() !== '';
  } catch {
    return undefined;
  }
}

/** The guest's liveness and integrity on the host it should run on, after a hop. Appends to report.checks. */
export async function verifyHop(report: HopReport, runner: GuestHandle, collector: LineCollector, signal?: AbortSignal): Promise<void> {
  const checks: VerdictCheck[] = report.checks;
  const host = runner.label;
  const status = await runner.vm.qmp.queryStatus({ signal }).then((s) => s.status, (e: unknown) => `unknown (${messageOf(e)})`);
  let running = status === 'running';
  for (let i = 0; i < 50 && !running && /cancel|postmigrate|inmigrate|paused/.test(status); i++) {
    await sleep(100, signal);
    running = (await runner.vm.qmp.queryStatus({ signal }).catch(() => ({ status: '' }))).status === 'running';
  }
  checks.push({ name: `guest runs on ${host}`, ok: running, detail: `query-status on ${host}: ${running ? 'running' : status}` });

  const before = Math.max(0, ...collector.heartbeats.map((h) => h.counter));
  const after = Date.now();
  const beats = await until(() => collector.heartbeats.some((h) => h.host === host && h.at > after && h.counter > before), 10_000, signal);
  checks.push({ name: 'heartbeat continues', ok: beats, detail: beats ? `new heartbeat on ${host} after counter ${before}` : `no heartbeat on ${host} within 10 s after counter ${before}` });

  const asked = Date.now();
  runner.hb.requestCheck();
  const scanned = await until(() => collector.integrity.some((l) => l.host === host && l.demand && l.at >= asked), 10_000, signal);
  const fails = collector.integrity.filter((l) => !l.ok);
  const demand = collector.integrity.filter((l) => l.host === host && l.demand && l.at >= asked).at(-1);
  checks.push({
    name: 'integrity check passes', ok: scanned && !!demand?.ok && fails.length === 0,
    detail: !scanned ? `no answer to the on-demand integrity scan on ${host} within 10 s` : fails.length ? fails.map((f) => `${f.host}: ${f.text}`).slice(0, 3).join(' | ') : demand!.text,
  });

  report.heartbeat = analyzeHeartbeats(collector.heartbeats, report.window);
  report.metrics.blackoutMs = report.heartbeat.blackoutMs;
  const resets = report.heartbeat.resets;
  checks.push({ name: 'heartbeat counter has no reset', ok: resets.length === 0, detail: resets.length ? resets.map((r) => `${r.host}: ${r.from} → ${r.to}`).slice(0, 3).join(', ') : `counter continuous (last on ${report.from}: ${report.heartbeat.lastOn[report.from] ?? '-'}, now ${Math.max(...collector.heartbeats.map((h) => h.counter))})` });
}
