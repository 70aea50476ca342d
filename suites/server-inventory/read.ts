export { probe, probeOrSkip, readCommand } from '../../src/suite-api/probe.ts';
