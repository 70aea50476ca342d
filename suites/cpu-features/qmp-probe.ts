// The probe QEMU moved to src/vm/qmp-probe.ts (shared with the guest-images suite).
export { isNotRecorded, openQmpProbe, type QmpProbe } from '../../src/vm/qmp-probe.ts';
