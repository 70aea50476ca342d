// `npm run bench [-- NAME…]`: the benchmarks. Figures are ratios or sizes measured side by side in one run; timing
// targets live here, never in tests.
import { benchBoot } from './boot.ts';
import { benchLab, formatLab } from './lab.ts';
import { benchHosts } from './hosts.ts';
import { benchScale } from './scale.ts';
import { benchMigration } from './migration.ts';
import { storedBench } from './store.ts';
import { benchDrift } from './drift.ts';

const BENCHES: Record<string, () => Promise<string>> = {
  lab: () =>
    storedBench('lab', 'Lab benchmark: host-os + server-inventory over SSH on lab-in-a-box hosts', async () =>
      formatLab(await benchLab()),
    ),
  boot: () => storedBench('boot', 'Boot benchmark: the tiny guest to ready, through hwqual and by hand', benchBoot),
  hosts: () => benchHosts(),
  scale: () => benchScale(),
  migration: () => benchMigration(),
  drift: () => benchDrift(),
};

const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = names.filter((n) => !BENCHES[n]);
if (unknown.length) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}\n`);
  process.exit(2);
}
for (const name of names.length ? names : Object.keys(BENCHES)) {
  process.stdout.write(`${await BENCHES[name]()}\n\n`);
}
