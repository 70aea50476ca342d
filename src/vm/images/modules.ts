/**
 * Pure: which kernel modules to load, in order, for the wanted ones — from modules.dep (paths relative to
 * /lib/modules/<release>/) and modules.builtin. Built-in modules need nothing.
 */
export function moduleLoadOrder(wanted: readonly string[], modulesDep: string, modulesBuiltin: string): string[] {
  const deps = new Map<string, string[]>();
  const byName = new Map<string, string>();
  for (const line of modulesDep.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const path = line.slice(0, colon).trim();
    deps.set(
      path,
      line
        .slice(colon + 1)
        .trim()
        .split(/\s+/)
        .filter(Boolean),
    );
    byName.set(moduleName(path), path);
  }
  const builtin = new Set(modulesBuiltin.split('\n').filter(Boolean).map(moduleName));
  const order: string[] = [];
  const visit = (path: string) => {
    if (order.includes(path)) return;
    for (const d of [...(deps.get(path) ?? [])].reverse()) visit(d);
    order.push(path);
  };
  for (const name of wanted) {
    const norm = name.replace(/-/g, '_');
    const path = byName.get(norm);
    if (path) visit(path);
    else if (!builtin.has(norm)) throw new Error(`kernel module ${name} is neither in modules.dep nor built in`);
  }
  return order;
}

/** `kernel/drivers/block/virtio_blk.ko.xz` → `virtio_blk`. */
export function moduleName(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base.replace(/\.ko(\.(xz|zst|gz))?$/, '').replace(/-/g, '_');
}
