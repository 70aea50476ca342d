export { probe, probeOrSkip, readCommand } from '../../src/suite-api/index.ts';
