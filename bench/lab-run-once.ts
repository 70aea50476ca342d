// One benchmark sample in its own process (so peak RSS is this run's): host-os + server-inventory on every host of
// a lab, over SSH. Prints one JSON line: { hosts, wallMs, commands, cases, maxRssKiB }.
import { loadLab } from '../src/config/lab.ts';
import type { PlanConfig } from '../src/config/types.ts';
import { prepareRun } from '../src/runner/prepare.ts';
import { executeRun } from '../src/runner/run.ts';
import { createTransport } from '../src/transport/create.ts';
import { CountingTransport } from './counting-transport.ts';

const [labYaml, outDir] = process.argv.slice(2);
const lab = loadLab(labYaml);
const plan: PlanConfig = {
  file: 'bench-plan',
  sha256: '0'.repeat(64),
  name: 'bench-lab',
  suites: ['host-os', 'server-inventory'],
  hosts: {},
  severity: {},
  require: { qemu: '>=7.2' },
  concurrency: 64,
  timeouts: { case: 120 },
  retries: 0,
  retryFailed: false,
  matrix: {},
  settings: {},
};
const counters: CountingTransport[] = [];
const t0 = performance.now();
const prepared = await prepareRun({
  lab,
  plan,
  transportFactory: (h, l) => {
    const t = new CountingTransport(createTransport(h, l));
    counters.push(t);
    return t;
  },
});
const results = await executeRun({ lab, plan, prepared, outDir, signal: new AbortController().signal, progress: {} });
const wallMs = performance.now() - t0;
const errors = results.cases.filter((c) => c.status === 'error').length;
process.stdout.write(
  `${JSON.stringify({
    hosts: lab.hosts.length,
    wallMs,
    commands: counters.reduce((n, c) => n + c.commands, 0),
    cases: results.cases.length,
    errors,
    maxRssKiB: process.resourceUsage().maxRSS,
  })}\n`,
);
