import type { Vm } from './vm-handle.ts';

/** Every VM this process has started and not torn down yet, whatever its driver (for SIGINT and afterAll). */
const live = new Set<Vm>();

export function trackVm(vm: Vm): () => void {
  live.add(vm);
  return () => live.delete(vm);
}

/** Tear down every VM this process still has (SIGINT handler, afterAll). */
export async function teardownAllVms(): Promise<void> {
  await Promise.allSettled([...live].map((vm) => vm.teardown()));
}
