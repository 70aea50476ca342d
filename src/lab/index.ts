/** Lab-in-a-box: several real SSH hosts on this machine (network namespaces, or loopback as a fallback). */
export { labUp, type LabUpOptions } from './up.ts';
export { labDown, type LabDownReport } from './down.ts';
export { labStatus } from './status.ts';
export { labLink } from './link.ts';
export { labReimage, type ReimageOptions } from './reimage.ts';
export { knownReleases, parseOsFlags, MACHINE_ROOT } from './os-args.ts';
export { labShape } from './shape.ts';
export { labExec, hostArgv } from './exec.ts';
export { readState } from './state.ts';
export { labNames, labPaths, labId, labSubnet } from './names.ts';
export type {
  LabState,
  LabHost,
  LabMode,
  LabStatus,
  LabHostStatus,
  ShapeOptions,
  RecordedProcess,
  HostRootState,
  LabKvm,
} from './types.ts';
