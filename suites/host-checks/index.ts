import { defineSuite, type CaseDef } from '../../src/suite-api/index.ts';
import { hostChecksPath, loadHostChecks, type HostCheck } from './checks-file.ts';

/** One read-only case per check: passes when the command exits 0, fails (with the command's output) otherwise. */
export function checkCase(check: HostCheck): CaseDef {
  return {
    id: check.id,
    title: `host check ${check.id}`,
    readOnly: true,
    async run(ctx) {
      const r = await ctx.exec(check.cmd, { root: check.root });
      const output = `${r.stdout}${r.stderr}`.trim();
      ctx.expect.ok('exit code', r.exitCode === 0, {
        expected: 'exit 0',
        actual: `exit ${r.exitCode}${output ? `: ${output.slice(0, 2000)}` : ''}`,
        message:
          `${check.id}: \`${check.cmd}\` exited ${r.exitCode}` +
          (output ? ` — ${output.split('\n')[0]!.slice(0, 300)}` : ''),
      });
    },
  };
}

let cached: { file: string; cases: CaseDef[] } | undefined;

/**
 * The host checks of fixtures/host-checks.json (host OS, CPU, encryption qualification in shell one-liners),
 * read when the suite loads; HWQUAL_HOST_CHECKS points at another file. Read-only.
 */
export default defineSuite({
  name: 'host-checks',
  title: 'Host checks (shell one-liners)',
  description: 'One case per check of bench/host-checks.json: passes when its command exits 0.',
  facts: [],
  tags: ['host'],
  cases() {
    // Read once per file, not once per host (a run may have thousands of hosts).
    const file = hostChecksPath();
    if (cached?.file !== file) cached = { file, cases: loadHostChecks(file).map(checkCase) };
    return cached.cases;
  },
});
