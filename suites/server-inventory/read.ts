export { probe, probeOrSkip } from '../../src/suite-api/probe.ts';
