export { probe, probeOrSkip } from '../../src/suite-api/index.ts';
