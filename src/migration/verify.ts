import { messageOf } from '../model/errors.ts';
import type { Transport } from '../transport/types.ts';
import { shellQuote } from '../vm/shell.ts';
import { eventually } from '../util/poll.ts';
import { sleep } from '../util/wait.ts';
import { analyzeHeartbeats, type IntegrityLine, type LineCollector } from './heartbeat.ts';
import type { GuestHandle, HopReport, VerdictCheck } from './types.ts';

/**
 * Whether a QEMU of this VM's work dir is left on its host (or, for a libvirt domain, the domain itself); undefined
 * when the host cannot be asked.
 */
export function qemuLeft(g: GuestHandle): Promise<boolean | undefined> {
  const domain = 'domain' in g.vm ? String(g.vm.domain) : undefined;
  return qemuLeftIn(g.vm.transport, g.vm.paths.workDir, domain);
}

/**
 * Whether a QEMU naming `workDir`, the dir itself or the libvirt `domain` is on the host; undefined when the host
 * cannot be asked.
 */
export async function qemuLeftIn(transport: Transport, workDir: string, domain?: string): Promise<boolean | undefined> {
  const dir = shellQuote(workDir);
  const defined = domain
    ? `; virsh -q -c qemu:///system domstate ${shellQuote(domain)} >/dev/null 2>&1 && echo domain`
    : '';
  try {
    const r = await transport.exec(
      `for p in $(pgrep -f -- ${dir}); do case "$(cat /proc/$p/comm 2>/dev/null)" in qemu*) echo $p;; esac; done; ` +
        `test -e ${dir} && echo dir${defined}`,
      { timeoutMs: 10_000 },
    );
    return r.stdout.trim() !== '';
  } catch {
    return undefined;
  }
}

/**
 * Why a guest may be silent: the heartbeat stream's state, its serial port's chardev as QEMU sees it, where the
 * vCPU is (HMP `info registers`: RIP, halted or not, interrupts on or off; `x/3i $pc`), and what its kernel said on
 * the console after Alt-SysRq-L (or the console's last lines when it said nothing).
 */
export async function silentGuest(g: GuestHandle, signal?: AbortSignal): Promise<string> {
  const parts = [g.hb.describe()];
  const o = { signal, timeoutMs: 5000 };
  if (g.vm.qmp.isClosed) parts.push('its QMP connection is closed (QEMU gone)');
  else
    try {
      const chardevs = await g.vm.qmp.execute<Array<{ label: string; filename: string }>>(
        'query-chardev',
        undefined,
        o,
      );
      // hwqual names the chardev `hb`; libvirt names its own (charserial1): the socket's path says which it is.
      const hb = chardevs.find((c) => c.label === 'hb' || (g.hb.socket !== '' && c.filename.includes(g.hb.socket)));
      if (hb) parts.push(`chardev hb: ${hb.filename}`);
    } catch (err) {
      parts.push(`query-chardev: ${messageOf(err)}`);
    }
  if (!g.vm.qmp.isClosed)
    try {
      const regs = await g.vm.qmp.execute<string>('human-monitor-command', { 'command-line': 'info registers' }, o);
      const rip = /RIP=(\S+)/.exec(regs)?.[1];
      const hlt = /HLT=(\d)/.exec(regs)?.[1];
      const efl = /[ER]FL=([0-9a-f]+)/.exec(regs)?.[1];
      const irqs = efl === undefined ? '' : parseInt(efl, 16) & 0x200 ? ', interrupts on' : ', interrupts off';
      const code = await g.vm.qmp
        .execute<string>('human-monitor-command', { 'command-line': 'x/3i $pc' }, o)
        .catch(() => '');
      const insns = code
        .split('\n')
        .map((l) => l.replace(/^0x[0-9a-f]+:\s*/, '').trim())
        .filter(Boolean)
        .join('; ');
      const state = hlt === '1' ? ' halted' : hlt === '0' ? ' running' : '';
      parts.push(`vCPU RIP=${rip ?? '?'}${state}${irqs}${insns ? ` at: ${insns}` : ''}`);
    } catch (err) {
      parts.push(`info registers: ${messageOf(err)}`);
    }
  // The workload guest boots with sysrq_always_enabled: Alt-SysRq-L makes its kernel print every CPU's backtrace
  // on the console, which says where a silent guest is (when it still takes interrupts).
  if (!g.vm.qmp.isClosed) {
    try {
      // SysRq-9 first: the guest boots `quiet`, and the backtraces are printed below that console log level.
      for (const key of ['9', 'l']) {
        await g.vm.qmp.execute('human-monitor-command', { 'command-line': `sendkey alt-sysrq-${key}` }, o);
        await sleep(key === 'l' ? 2000 : 300, signal);
      }
    } catch (err) {
      parts.push(`sendkey: ${messageOf(err)}`);
    }
  }
  await g.vm.console.poll(signal).catch(() => {});
  const said = kernelReport(g.vm.console.text);
  parts.push(said ? `guest kernel: ${said}` : g.vm.console.tail(8));
  return parts.join('; ');
}

/**
 * What a guest kernel said about itself on the console (an oops, a panic, or SysRq-L's backtraces): the BUG/Oops
 * and panic lines, each RIP line and the first frames of each call trace; '' when there is none.
 */
export function kernelReport(text: string): string {
  const lines = text.split('\n').map((l) => l.replace(/^\[\s*\d+\.\d+\]\s*/, '').trim());
  const out: string[] = [];
  const add = (l: string) => {
    if (!out.includes(l)) out.push(l);
  };
  for (let i = 0; i < lines.length && out.length < 12; i++) {
    const l = lines[i];
    if (/^(BUG: |Oops: |WARNING: CPU: |general protection fault|Kernel panic|RIP: \d+:|NMI backtrace)/.test(l)) add(l);
    if (/^Call Trace:/.test(l)) {
      const frames: string[] = [];
      for (const f of lines.slice(i + 1, i + 40)) {
        if (/^<\/?\w+>$/.test(f)) continue; // <IRQ>, </IRQ>, <TASK> …
        if (!/^(\? )?[\w.]+\+0x/.test(f)) break;
        frames.push(f);
      }
      add(`Call Trace: ${frames.slice(0, 6).join(' < ')}`);
    }
  }
  return out.join(' | ');
}

/** The guest's liveness and integrity on the host it should run on, after a hop. Appends to report.checks. */
export async function verifyHop(
  report: HopReport,
  runner: GuestHandle,
  collector: LineCollector,
  signal?: AbortSignal,
): Promise<void> {
  const checks: VerdictCheck[] = report.checks;
  const host = runner.label;
  const status = await runner.vm.qmp.queryStatus({ signal }).then(
    (s) => s.status,
    (e: unknown) => `unknown (${messageOf(e)})`,
  );
  // A guest still settling after the switchover (postmigrate, inmigrate, paused) gets 5 s to run.
  const settles = async () =>
    (await runner.vm.qmp.queryStatus({ signal }).catch(() => ({ status: '' }))).status === 'running';
  const running =
    status === 'running' ||
    (/cancel|postmigrate|inmigrate|paused/.test(status) && (await eventually(settles, { timeoutMs: 5_000, signal })));
  checks.push({
    name: `guest runs on ${host}`,
    ok: running,
    detail: `query-status on ${host}: ${running ? 'running' : status}`,
  });

  const before = Math.max(0, ...collector.heartbeats.map((h) => h.counter));
  const after = Date.now();
  const beats = await eventually(
    () => collector.heartbeats.some((h) => h.host === host && h.at > after && h.counter > before),
    { timeoutMs: 10_000, everyMs: 50, signal },
  );
  checks.push({
    name: 'heartbeat continues',
    ok: beats,
    detail: beats
      ? `new heartbeat on ${host} after counter ${before}`
      : `no heartbeat on ${host} within 10 s after counter ${before}; ${await silentGuest(runner, signal)}`,
  });

  const asked = Date.now();
  runner.hb.requestCheck();
  const scanned = await eventually(
    () => collector.integrity.some((l) => l.host === host && l.demand && l.at >= asked),
    { timeoutMs: 10_000, everyMs: 50, signal },
  );
  const fails = collector.integrity.filter((l) => !l.ok);
  const demand = collector.integrity.filter((l) => l.host === host && l.demand && l.at >= asked).at(-1);
  checks.push({
    name: 'integrity check passes',
    ok: scanned && !!demand?.ok && fails.length === 0,
    detail: !scanned
      ? `no answer to the on-demand integrity scan on ${host} within 10 s`
      : fails.length
        ? fails
            .map((f) => `${f.host}: ${f.text}`)
            .slice(0, 3)
            .join(' | ')
        : demand!.text,
  });

  if (demand?.disk) checks.push(...(await diskChecks(report, host, collector, demand, signal)));

  report.heartbeat = analyzeHeartbeats(collector.heartbeats, report.window);
  report.metrics.blackoutMs = report.heartbeat.blackoutMs;
  report.metrics.blackoutResolutionMs = report.heartbeat.resolutionMs;
  const resets = report.heartbeat.resets;
  checks.push({
    name: 'heartbeat counter has no reset',
    ok: resets.length === 0,
    detail: resets.length
      ? resets
          .map((r) => `${r.host}: ${r.from} → ${r.to}`)
          .slice(0, 3)
          .join(', ')
      : `counter continuous (last on ${report.from}: ${report.heartbeat.lastOn[report.from] ?? '-'}, ` +
        `now ${Math.max(...collector.heartbeats.map((h) => h.counter))})`,
  });
}

/**
 * The data disk after a hop: the on-demand scan read every stamped block back as last written (what the guest wrote
 * before the migration included), and the workload keeps writing on this host (a later line counts more writes than
 * the last line from the other host).
 */
async function diskChecks(
  report: HopReport,
  host: string,
  collector: LineCollector,
  demand: IntegrityLine,
  signal?: AbortSignal,
): Promise<VerdictCheck[]> {
  const bad = collector.integrity.filter((l) => l.disk && !l.disk.ok);
  const other = host === report.from ? report.to : report.from;
  const before = Math.max(0, ...collector.integrity.filter((l) => l.host === other).map((l) => l.disk?.writes ?? 0));
  const since = demand.at;
  const writing = await eventually(
    () =>
      collector.integrity.some((l) => l.host === host && l.at >= since && !l.demand && (l.disk?.writes ?? 0) > before),
    { timeoutMs: 10_000, everyMs: 50, signal },
  );
  const last = collector.integrity.filter((l) => l.host === host).at(-1)?.disk?.writes;
  return [
    {
      name: 'disk read-back passes',
      ok: demand.disk!.ok && bad.length === 0,
      detail: bad.length
        ? bad
            .map((l) => `${l.host}: ${l.disk!.detail}`)
            .slice(0, 3)
            .join(' | ')
        : `${demand.disk!.blocks} blocks read back on ${host} as last written (${demand.disk!.writes} writes so far)`,
    },
    {
      name: 'disk writes continue',
      ok: writing,
      detail: writing
        ? `${last} writes on ${host}, ${before} when last seen on ${other}`
        : `no disk write on ${host} within 10 s after the hop (${before} when last seen on ${other})`,
    },
  ];
}
