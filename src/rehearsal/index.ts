/**
 * The rolling-upgrade rehearsal (`hwqual rehearse`): a pool upgraded host by host on a lab-in-a-box while its guests
 * keep running — evacuate, re-image, host-os, refill — with its report as plain data and its renderings.
 */
export { runRehearsal, type HostCheck, type RehearsalRequest } from './run.ts';
export { formatRehearsal, formatLocations, rehearsalResults } from './report.ts';
export { noRegression, releaseOs, type HostOsRun } from './hosts.ts';
export { evacuationTarget, initialPlacement, checkInvariants, type ReimageWindow } from './plan.ts';
export type * from './types.ts';
