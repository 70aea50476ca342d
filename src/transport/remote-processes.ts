import type { ClientChannel } from 'ssh2';
import { registerEmergencyCleanup } from '../util/emergency.ts';
import { ChannelLimiter } from './channel-limiter.ts';
import type { SshConnection } from './ssh-connection.ts';

/** One process (group or tree) a run started on a remote host, and the shell that kills it there. */
export interface RemoteProcess {
  host: string;
  /** The kind of channel it runs on: `exec` (own process group) or `batch` (a member of a batch script). */
  channel: 'exec' | 'batch';
  /** `kill -s KILL -- -<pgid>` for a group; a tree walk for a batch member. */
  kill: string;
  command: string;
}

export interface KillReport {
  host: string;
  processes: number;
  /** Why they could not be killed (connection lost, no channel in time…); absent when the kill ran. */
  error?: string;
}

/** How long the emergency path waits for the kills on all hosts together. */
export const EMERGENCY_KILL_MS = 2500;

/**
 * Every remote process the run has running now, per connection (so per host). Commands add themselves once the host
 * has told their process group (exec) or pid (batch) and remove themselves when they end. When graceful teardown is
 * skipped — a second SIGINT — or a transport closes with commands still running, `kill*` ends them all with ONE
 * short-lived channel per host, bounded in time: as root, a command survives its channel closing.
 */
export class RemoteProcessRegistry {
  private readonly byConn = new Map<SshConnection, Set<RemoteProcess>>();
  private offEmergency: (() => void) | null = null;

  constructor(private readonly log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)) {}

  /** Record a running process; returns its removal (idempotent). */
  add(conn: SshConnection, p: RemoteProcess): () => void {
    let set = this.byConn.get(conn);
    if (!set) this.byConn.set(conn, (set = new Set()));
    set.add(p);
    this.offEmergency ??= registerEmergencyCleanup(() => this.emergency());
    return () => {
      const s = this.byConn.get(conn);
      if (!s?.delete(p)) return;
      if (!s.size) this.byConn.delete(conn);
      if (!this.byConn.size) {
        this.offEmergency?.();
        this.offEmergency = null;
      }
    };
  }

  /** What is running now, all hosts. */
  list(): RemoteProcess[] {
    return [...this.byConn.values()].flatMap((s) => [...s]);
  }

  /** Kill what runs on one connection (a transport closing with commands still running). */
  async killOn(conn: SshConnection, timeoutMs: number): Promise<KillReport | undefined> {
    const set = this.byConn.get(conn);
    if (!set?.size) return undefined;
    return killGroups(conn, [...set], timeoutMs);
  }

  /** Kill what runs on every host, one channel per host, all hosts at once, within timeoutMs. */
  async killAll(timeoutMs: number): Promise<KillReport[]> {
    return Promise.all([...this.byConn].map(([conn, set]) => killGroups(conn, [...set], timeoutMs)));
  }

  private async emergency(): Promise<void> {
    this.offEmergency = null;
    const reports = await this.killAll(EMERGENCY_KILL_MS);
    for (const r of reports)
      this.log(
        r.error
          ? `hwqual: could not kill ${r.processes} remote command(s) on ${r.host}: ${r.error}; they may still run`
          : `hwqual: killed ${r.processes} remote command(s) on ${r.host}`,
      );
  }
}

/** The registry of this process (transports add to it; the second-signal path empties it). */
export const remoteProcesses = new RemoteProcessRegistry();

/** One channel on conn running every kill, waited for at most timeoutMs. */
async function killGroups(conn: SshConnection, list: RemoteProcess[], timeoutMs: number): Promise<KillReport> {
  const report: KillReport = { host: conn.host.name, processes: list.length };
  if (conn.lost) return { ...report, error: `connection lost (${conn.lost.message})` };
  const signal = AbortSignal.timeout(timeoutMs);
  const script = `{ ${list.map((p) => p.kill).join('; ')}; } 2>/dev/null; exit 0`;
  try {
    // Its own slot: the run's channels may fill the limiter and the reserve (a graceful kill may hold it).
    const ch = await conn.channel<ClientChannel>((cb) => conn.client.exec(script, cb), 'kill', {
      signal,
      limiter: new ChannelLimiter(1),
      session: true,
    });
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        ch.close();
        reject(new Error(`no answer within ${timeoutMs} ms`));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      ch.on('close', () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }).on('error', () => {});
      ch.resume();
      ch.stderr.resume();
      ch.end();
    });
    return report;
  } catch (err) {
    return { ...report, error: signal.aborted ? `no kill channel within ${timeoutMs} ms` : (err as Error).message };
  }
}
