export type { CaseContext, CaseDef } from '../../src/suite-api/index.ts';
export type { HostExpect } from '../../src/config/types.ts';
