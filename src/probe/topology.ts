/**
 * CPU topology as each source states it, and whether the sources agree with themselves and each other. A cpuinfo
 * copy holding a subset of the processor blocks, or an lscpu of another host pasted beside it, gives numbers that
 * contradict each other: they are reported as such, never averaged or picked. Pure.
 */
export interface CpuinfoTopology {
  /** Processor blocks in the text (logical CPUs it lists). */
  blocks: number;
  /** `siblings`: logical CPUs per package, as the first block states it. */
  siblings?: number;
  /** `cpu cores`: cores per package. */
  cpuCores?: number;
  /** Distinct `physical id` values among the blocks. */
  packages?: number;
}

export interface LscpuTopology {
  /** `CPU(s)`. */
  cpus?: number;
  /** Logical CPUs in `On-line CPU(s) list`. */
  online?: number;
  sockets?: number;
  coresPerSocket?: number;
  threadsPerCore?: number;
}

export interface TopologyCheck {
  consistent: boolean;
  /** Each contradiction with its numbers. */
  problems: string[];
}

/** `0-95`, `0,1`, `0-3,8-11` → how many CPUs the list names; undefined when it is not such a list. */
export function cpuListCount(list: string | undefined): number | undefined {
  if (!list?.trim()) return undefined;
  let n = 0;
  for (const part of list.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return undefined;
    n += m[2] === undefined ? 1 : Number(m[2]) - Number(m[1]) + 1;
  }
  return n;
}

/** Every check the numbers at hand allow; undefined when none can be made (nothing to compare). */
export function checkTopology(ci?: CpuinfoTopology, ls?: LscpuTopology): TopologyCheck | undefined {
  const problems: string[] = [];
  let checks = 0;
  const check = (holds: boolean, problem: () => string) => {
    checks++;
    if (!holds) problems.push(problem());
  };
  if (ci?.siblings !== undefined && ci.packages !== undefined) {
    const want = ci.siblings * ci.packages;
    check(
      ci.blocks === want,
      () =>
        `/proc/cpuinfo lists ${ci.blocks} logical CPUs, but siblings ${ci.siblings} × ${ci.packages} package(s) = ` +
        `${want}`,
    );
  }
  if (ci?.siblings !== undefined && ci.cpuCores)
    check(
      ci.siblings % ci.cpuCores === 0 && ci.siblings >= ci.cpuCores,
      () => `/proc/cpuinfo siblings ${ci.siblings} is not a whole multiple of cpu cores ${ci.cpuCores}`,
    );
  const lsCount = ls?.online ?? ls?.cpus;
  if (ls && lsCount !== undefined && ls.sockets && ls.coresPerSocket && ls.threadsPerCore) {
    const want = ls.sockets * ls.coresPerSocket * ls.threadsPerCore;
    const what = ls.online !== undefined ? 'on-line CPUs' : 'CPU(s)';
    check(
      lsCount === want,
      () =>
        `lscpu ${what} ${lsCount}, but socket(s) ${ls.sockets} × core(s) per socket ${ls.coresPerSocket} × ` +
        `thread(s) per core ${ls.threadsPerCore} = ${want}`,
    );
  }
  if (ci && lsCount !== undefined)
    check(ci.blocks === lsCount, () => `/proc/cpuinfo lists ${ci.blocks} logical CPUs, lscpu ${lsCount}`);
  if (ci?.cpuCores !== undefined && ls?.coresPerSocket !== undefined)
    check(
      ci.cpuCores === ls.coresPerSocket,
      () => `/proc/cpuinfo cpu cores ${ci.cpuCores}, lscpu core(s) per socket ${ls.coresPerSocket}`,
    );
  return checks ? { consistent: problems.length === 0, problems } : undefined;
}
