import { errorCodeOf, messageOf, type Transport } from '../../src/suite-api/index.ts';
import type { QmpOutcome } from '../../src/suite-api/parsers.ts';
import { openQmpProbe, QmpError, type QmpClient, type QmpProbe } from '../../src/suite-api/vm.ts';

export interface CcQmpAnswers {
  /** live: a `-machine none` QEMU started for the questions; replayed: the profile's recorded conversation. */
  mode: 'live' | 'replayed';
  kvm?: boolean;
  sevCapabilities?: QmpOutcome;
  sgxCapabilities?: QmpOutcome;
  /** Why KVM was not used for a live QEMU (its own words). */
  kvmRefused?: string;
}

/**
 * Ask QEMU what confidential-computing guests it could launch on this host: query-kvm, query-sev-capabilities,
 * query-sgx-capabilities. A live host gets a QEMU with no guest (`-machine none`), under KVM when QEMU accepts it,
 * else TCG (whose answers the parser marks inconclusive). A replayed host answers from its recorded conversation
 * (profiles map `*` to their KVM session); nothing is executed on it.
 */
export async function askQemuCc(
  transport: Transport,
  o: { signal?: AbortSignal; qemuBinary?: string } = {},
): Promise<CcQmpAnswers> {
  const open = (accel: 'kvm' | 'tcg') =>
    openQmpProbe(transport, { accel, qemuBinary: o.qemuBinary, signal: o.signal, name: 'cc-probe' });
  let kvmRefused: string | undefined;
  let probe: QmpProbe;
  try {
    probe = await open('kvm');
  } catch (err) {
    if (transport.kind === 'replay' || errorCodeOf(err) !== 'E_VM') throw err;
    kvmRefused = messageOf(err);
    probe = await open('tcg');
  }
  try {
    return { mode: probe.mode, ...(await ask(probe.qmp, o.signal)), ...(kvmRefused && { kvmRefused }) };
  } finally {
    await probe.close();
  }
}

async function ask(qmp: QmpClient, signal?: AbortSignal): Promise<Omit<CcQmpAnswers, 'mode'>> {
  const outcome = async (command: string): Promise<QmpOutcome> => {
    try {
      return { return: await qmp.execute(command, undefined, { signal, timeoutMs: 10_000 }) };
    } catch (err) {
      if (err instanceof QmpError) return { error: { class: err.errorClass, desc: err.desc } };
      throw err;
    }
  };
  const kvm = await outcome('query-kvm');
  const enabled = 'return' in kvm ? (kvm.return as { enabled?: boolean }).enabled : undefined;
  return {
    ...(enabled !== undefined && { kvm: enabled }),
    sevCapabilities: await outcome('query-sev-capabilities'),
    sgxCapabilities: await outcome('query-sgx-capabilities'),
  };
}
