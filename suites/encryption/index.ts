import { defineSuite } from '../../src/suite-api/index.ts';
import { ccCase } from './cc-case.ts';
import { guestCases } from './guest-case.ts';
import { hostCases } from './host-cases.ts';
import { luksCases } from './luks-cases.ts';
import { qemuDiskCase } from './qemu-disk-case.ts';
import { encryptionRequire } from './require.ts';

/**
 * Encryption on the host and for guests: the CPU's crypto instructions and the kernel's xts(aes) driver, a LUKS2
 * round trip with cryptsetup (and its benchmark), an encrypted guest disk through QEMU's LUKS, and the host's
 * confidential-computing features; opt-in, the same LUKS round trip and benchmark inside a Debian guest per CPU model
 * (guest-case.ts). Plan parameters: see require.ts and guest-case.ts.
 */
export default defineSuite({
  name: 'encryption',
  title: 'Encryption and confidential computing',
  description:
    'AES/VAES/SHA/GFNI flags, accelerated xts(aes), LUKS2 round trip and benchmark, LUKS-encrypted guest disk, ' +
    'SME/SEV/SNP/TME/TDX/SGX.',
  facts: ['virt'],
  tags: ['security', 'crypto'],
  cases(_host, plan) {
    const req = encryptionRequire(plan);
    return [...hostCases(req), ...luksCases(req), qemuDiskCase(), ccCase(req), ...guestCases(plan)];
  },
});
