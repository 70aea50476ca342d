import { defineSuite } from '../../src/suite-api/index.ts';
import { driftCase } from './drift-case.ts';
import { driftSettings } from './settings.ts';

/**
 * Drift: is each host still what a qualified run tested? One read-only case per host compares the facts gathered now
 * with that run's (docs/drift.md). `hwqual drift` builds the plan; settings.drift names the qualified run.
 */
export default defineSuite({
  name: 'drift',
  title: 'Drift since qualification',
  description:
    'Host facts (CPU, microcode, kernel, QEMU, libvirt, firmware, memory) against a qualified run: what changed, ' +
    'its class, and the cases to re-run.',
  severity: 'blocker',
  // It compares every fact with the qualified run's.
  facts: ['identity', 'cpu', 'memory', 'firmware', 'security', 'virt'],
  tags: ['drift'],
  cases(_host, plan) {
    return [driftCase(driftSettings(plan))];
  },
});
