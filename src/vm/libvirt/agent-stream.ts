import type { Duplex } from 'node:stream';
import { jsonLineStream } from './monitor-events.ts';
import { virshWords, type Virsh } from './virsh.ts';

/** libvirt's words for an agent that is not up yet: answered after a pause, so a readiness loop does not spin. */
const NOT_YET = /not connected|not responding|agent is not|Guest agent is not/i;

/**
 * qemu-guest-agent for a libvirt domain: libvirt itself connects to the agent's channel (its target name is
 * org.qemu.guest_agent.0), so a second client on the socket would wait forever. This stream speaks the agent's
 * protocol to GuestAgentClient and runs each request as `virsh qemu-agent-command DOM '<json>'`; libvirt's own
 * errors come back as agent errors in its words.
 */
export function virshAgentStream(virsh: Virsh, domain: string): Duplex {
  // One request at a time, as on the agent's own socket.
  let queue: Promise<void> = Promise.resolve();
  const { stream, send, stop } = jsonLineStream((line) => {
    queue = queue.then(() => answer(line));
  });
  const answer = async (line: string) => {
    try {
      const r = await virsh.exec(['qemu-agent-command', domain, '--timeout', '30', line], {
        timeoutMs: 60_000,
        signal: stop,
      });
      if (r.exitCode === 0) return send(JSON.parse(r.stdout));
      const words = virshWords(r);
      if (NOT_YET.test(words)) await new Promise((res) => setTimeout(res, 500));
      send({ error: { class: 'GenericError', desc: `driver libvirt: ${words}` } });
    } catch {
      /* cancelled with the stream; a lost host shows in the caller's own timeout */
    }
  };
  return stream;
}
