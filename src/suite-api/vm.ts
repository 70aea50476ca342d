/** Suite API: QEMU guests on a host — launch, QMP, the guest agent, the accelerator, images and QEMU's CPU facts. */
export { launchVm, type Vm, type VmDriver } from '../vm/vm.ts';
export { ownedDirCommand, vmWorkDir, vmWorkRoot } from '../vm/work-dirs.ts';
export type { Accel, DiskSpec } from '../vm/spec.ts';
export { resolveAccel, type AccelChoice } from '../vm/accel.ts';
export { QmpClient, QmpError } from '../vm/qmp-client.ts';
export { openQmpProbe, type QmpProbe } from '../vm/qmp-probe.ts';
export { GuestAgentClient } from '../vm/guest-agent.ts';
export { modelFeaturesOnce, queryModelFeatures } from '../vm/model-features.ts';
export { findPanicLine } from '../vm/panic.ts';
export { shellQuote } from '../vm/shell.ts';
export {
  clearTextLines,
  createLuksQcow2,
  keyInProcessList,
  randomKey,
  writeKeyFile,
  type RunOnHost,
} from '../vm/luks-disk.ts';
export { expandOrUndefined, qemuBinaryFor, qemuCpuFactsOnce, type QemuCpuFacts } from '../vm/qemu-cpu-facts.ts';
export { ensureImage } from '../vm/images/builder.ts';
export { bootImage, imageVmSpec, waitUntilReady } from '../vm/images/boot.ts';
export type { BuiltImage } from '../vm/images/built-image.ts';
export { makeCidataDisk } from '../vm/images/cidata.ts';
export { recipeByName } from '../vm/images/recipes.ts';
export { stageImage } from '../vm/images/stage.ts';
export { userImage, type UserImageConfig } from '../vm/images/user-image.ts';
