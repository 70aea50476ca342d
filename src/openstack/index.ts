/**
 * The OpenStack hand-off of a qualified run: Nova's configuration per pool, the traits each host will report, the
 * flavors of the qualified features (handoff.ts), rendered as nova-compute.conf fragments and handoff.md
 * (render.ts); Nova's CPU trait table (traits.ts). The rest of hwqual comes in through this file.
 */
export { buildHandoff, refusal, type Flavor, type Handoff, type PoolHandoff } from './handoff.ts';
export { handoffMarkdown, novaConf } from './render.ts';
export { cpuFeaturesToTraits, NOVA_CPU_TRAITS, traitFeature } from './traits.ts';
export { fragmentFile, parseHandoff } from './parse.ts';
