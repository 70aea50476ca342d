import type { Duplex } from 'node:stream';
import { errorCodeOf } from '../../model/errors.ts';
import { jsonLineStream, lineSplitter, parseMonitorEvent } from './monitor-events.ts';
import { virshWords, type Virsh } from './virsh.ts';

/**
 * QMP commands libvirt owns for a domain it runs: sent behind its back they would break its view of the domain
 * (a migration it did not start, a QEMU that quits under it). The libvirt path does these with virsh (migrate,
 * domjobabort, migrate-postcopy, migrate-setmaxdowntime, destroy).
 */
export const LIBVIRT_OWNS = new Set([
  'quit',
  'migrate',
  'migrate-incoming',
  'migrate_cancel',
  'migrate-start-postcopy',
  'migrate-pause',
  'migrate-recover',
  'migrate-continue',
  'migrate-set-capabilities',
  'migrate-set-parameters',
]);

/** virsh's words that mean the domain (so its QEMU) is gone: the QMP "connection" ends. */
const GONE = /Domain not found|domain is not running|failed to get domain|no domain with matching/i;

/**
 * A byte stream that speaks QMP to QmpClient (greeting, capabilities, commands with ids, events) and runs each
 * command as `virsh qemu-monitor-command DOM '<json>'` on the domain's host — libvirt holds QEMU's only monitor
 * socket. Events come from one long `virsh qemu-monitor-event --loop --timestamp` channel for the domain, started
 * with the stream and ended with it. So QmpClient, and every typed QMP call of the suites, work unchanged.
 */
export function virshQmpStream(virsh: Virsh, domain: string): Duplex {
  const {
    stream,
    send,
    end,
    stop: stopped,
  } = jsonLineStream((line) => {
    let req: { execute?: string; 'exec-oob'?: string; arguments?: unknown; id?: unknown };
    try {
      req = JSON.parse(line) as typeof req;
    } catch {
      return send({ error: { class: 'GenericError', desc: 'JSON parse error' } });
    }
    void answer(req);
  });
  const answer = async (req: { execute?: string; 'exec-oob'?: string; arguments?: unknown; id?: unknown }) => {
    const command = req.execute ?? req['exec-oob'] ?? '';
    const id = req.id;
    if (command === 'qmp_capabilities') return send({ return: {}, id }); // libvirt negotiated them long ago
    if (LIBVIRT_OWNS.has(command))
      return send({
        error: {
          class: 'GenericError',
          desc: `driver libvirt: ${command} belongs to libvirt for a domain it runs (hwqual does it with virsh)`,
        },
        id,
      });
    const body = JSON.stringify(
      req.arguments === undefined ? { execute: command } : { execute: command, arguments: req.arguments },
    );
    try {
      const r = await virsh.exec(['qemu-monitor-command', domain, body], { timeoutMs: 60_000, signal: stopped });
      if (r.exitCode !== 0) {
        const words = virshWords(r);
        send({ error: { class: 'GenericError', desc: `driver libvirt: ${words}` }, id });
        if (GONE.test(words)) end();
        return;
      }
      const reply = JSON.parse(r.stdout) as Record<string, unknown>;
      send({ ...reply, id });
    } catch (err) {
      if (stopped.aborted) return;
      send({
        error: { class: 'GenericError', desc: `driver libvirt: virsh qemu-monitor-command: ${errorCodeOf(err)}` },
        id,
      });
    }
  };
  // QEMU's greeting, as far as libvirt lets us see it: no out-of-band execution through virsh.
  send({ QMP: { version: { qemu: { major: 0, minor: 0, micro: 0 }, package: 'via libvirt' }, capabilities: [] } });
  const onEvent = lineSplitter((line) => {
    const e = parseMonitorEvent(line);
    if (e) send(e);
  });
  virsh
    .exec(['qemu-monitor-event', '--domain', domain, '--loop', '--timestamp'], {
      timeoutMs: 0,
      signal: stopped,
      onStdout: onEvent,
    })
    .catch(() => {
      /* ended with the stream (cancelled), or the host went away: commands say so themselves */
    });
  return stream;
}
