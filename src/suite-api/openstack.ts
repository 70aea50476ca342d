/** The OpenStack hand-off, for the suite that verifies it with Nova's own code (suites/openstack-handoff). */
export {
  fragmentFile,
  parseHandoff,
  traitFeature,
  type Flavor,
  type Handoff,
  type PoolHandoff,
} from '../openstack/index.ts';
