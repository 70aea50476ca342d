/**
 * The OpenStack hand-off, for the suite that verifies it with Nova's own code (suites/openstack-handoff). Reading
 * handoff.json back (parseHandoff, fragmentFile) is in plan-part.ts: the suite's plan rules need it at start-up.
 */
export { traitFeature, type Flavor, type Handoff, type PoolHandoff } from '../openstack/index.ts';
