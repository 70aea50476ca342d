/** Arm MIDR implementer and part numbers → the names lscpu prints (util-linux lscpu-arm.c). */

const IMPLEMENTERS: Record<string, string> = {
  '0x41': 'ARM',
  '0x42': 'Broadcom',
  '0x43': 'Cavium',
  '0x46': 'Fujitsu',
  '0x48': 'HiSilicon',
  '0x4e': 'NVIDIA',
  '0x50': 'APM',
  '0x51': 'Qualcomm',
  '0x61': 'Apple',
  '0x6d': 'Microsoft',
  '0xc0': 'Ampere',
};

const PARTS: Record<string, Record<string, string>> = {
  '0x41': {
    '0xd03': 'Cortex-A53',
    '0xd07': 'Cortex-A57',
    '0xd08': 'Cortex-A72',
    '0xd0b': 'Cortex-A76',
    '0xd0c': 'Neoverse-N1',
    '0xd40': 'Neoverse-V1',
    '0xd49': 'Neoverse-N2',
    '0xd4a': 'Neoverse-E1',
    '0xd4f': 'Neoverse-V2',
    '0xd83': 'Neoverse-V3AE',
    '0xd84': 'Neoverse-V3',
    '0xd8e': 'Neoverse-N3',
  },
  '0x43': { '0x0af': 'ThunderX2-99xx' },
  '0x46': { '0x001': 'A64FX' },
  '0x48': { '0xd01': 'Kunpeng-920' },
  '0x4e': { '0x004': 'Carmel' },
  '0x50': { '0x000': 'X-Gene' },
  '0xc0': { '0xac3': 'Ampere-1', '0xac4': 'Ampere-1a' },
};

function norm(hex: string): string {
  return `0x${hex.replace(/^0x/i, '').toLowerCase()}`;
}

export function armImplementerName(implementer: string): string | undefined {
  return IMPLEMENTERS[norm(implementer)];
}

export function armPartName(implementer: string, part: string): string | undefined {
  const table = PARTS[norm(implementer)];
  if (!table) return undefined;
  const p = norm(part);
  return table[p] ?? table[`0x${p.slice(2).padStart(3, '0')}`];
}
