import type { CpuFacts } from '../model/facts.ts';
import { armImplementerName, armPartName } from './arm-ids.ts';
import type { CpuinfoTopology } from './topology.ts';
import { lines, splitKeyValue, toInt, words } from './text.ts';

type Block = Map<string, string>;

/** /proc/cpuinfo blocks (blank-line separated; tabs or spaces before the colon). */
export function cpuinfoBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  let cur: Block = new Map();
  for (const line of lines(text)) {
    if (!line.trim()) {
      if (cur.size) blocks.push(cur);
      cur = new Map();
      continue;
    }
    const kv = splitKeyValue(line);
    if (!kv) continue;
    // A new "processor" line also starts a block (some copies have no blank line between blocks).
    if (kv[0] === 'processor' && cur.has('processor')) {
      blocks.push(cur);
      cur = new Map();
    }
    cur.set(kv[0], kv[1]);
  }
  if (cur.size) blocks.push(cur);
  return blocks.filter((b) => b.has('processor'));
}

/**
 * CPU facts from /proc/cpuinfo, x86 or Arm. `threads` is the number of processor blocks in the text (all online
 * CPUs on a live host). Topology per socket comes from `cpu cores` and `siblings` (x86 only).
 */
export function parseCpuinfo(text: string): CpuFacts {
  const blocks = cpuinfoBlocks(text);
  const first = blocks[0];
  if (!first) return {};
  const facts: CpuFacts = { threads: blocks.length };
  if (first.has('CPU implementer')) return { ...facts, ...armFacts(first) };

  const vendor = first.get('vendor_id');
  if (vendor) facts.vendor = vendor;
  const modelName = first.get('model name');
  if (modelName) facts.modelName = modelName;
  facts.family = toInt(first.get('cpu family'));
  facts.model = toInt(first.get('model'));
  facts.stepping = toInt(first.get('stepping'));
  const microcode = first.get('microcode');
  if (microcode) facts.microcode = microcode;
  const cores = toInt(first.get('cpu cores'));
  const siblings = toInt(first.get('siblings'));
  if (cores) facts.coresPerSocket = cores;
  if (cores && siblings) facts.threadsPerCore = Math.max(1, Math.round(siblings / cores));
  const sockets = new Set(blocks.map((b) => b.get('physical id')).filter((v) => v !== undefined));
  if (sockets.size && blocks.length > 1) facts.sockets = sockets.size;
  facts.flags = words(first.get('flags'));
  const bugs = first.get('bugs');
  if (bugs !== undefined) facts.bugs = words(bugs);
  return dropUndefined(facts);
}

/** The topology numbers x86 /proc/cpuinfo states (Arm states none); undefined when it has no processor block. */
export function cpuinfoTopology(text: string): CpuinfoTopology | undefined {
  const blocks = cpuinfoBlocks(text);
  const first = blocks[0];
  if (!first || first.has('CPU implementer')) return undefined;
  const packages = new Set(blocks.map((b) => b.get('physical id')).filter((v) => v !== undefined));
  return dropUndefined({
    blocks: blocks.length,
    siblings: toInt(first.get('siblings')),
    cpuCores: toInt(first.get('cpu cores')),
    packages: packages.size || undefined,
  });
}

function armFacts(b: Block): CpuFacts {
  const implementer = b.get('CPU implementer') ?? '';
  const part = b.get('CPU part') ?? '';
  const facts: CpuFacts = {
    vendor: armImplementerName(implementer) ?? implementer,
    flags: words(b.get('Features')),
    arm: dropUndefined({
      implementer,
      part,
      variant: b.get('CPU variant'),
      revision: toInt(b.get('CPU revision')),
      architecture: toInt(b.get('CPU architecture')),
    }),
  };
  const name = armPartName(implementer, part);
  if (name) facts.modelName = name;
  return facts;
}

export function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
