// A small purpose-built guest that misbehaves, for the tests of how hwqual judges a guest (failed in its own words,
// or error): the tiny image's kernel and initramfs with one more cpio archive appended — the kernel unpacks them in
// order, later files win — holding fixtures/test-guests/init and a kernel module built here against the tiny kernel's
// own Debian headers, which produces a real kernel BUG (a NULL pointer write in its init) when loaded. Nothing is
// faked: the BUG line on the console is the guest kernel's. Built once per tiny kernel, cached in .hwqual-cache.
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { downloadDeb } from '../../src/vm/images/apt.ts';
import type { BuiltImage } from '../../src/vm/images/built-image.ts';
import { imagesCacheDir } from '../../src/vm/images/cache.ts';
import { runLocal, runShell } from '../../src/vm/images/run-local.ts';
import { PROJECT_ROOT } from './paths.ts';

const SOURCES = join(PROJECT_ROOT, 'fixtures/test-guests');

export interface MisbehavingGuest {
  kernel: string;
  initrd: string;
  /** The tiny image's command line; add `hwqual.misbehave=bug-then-poweroff|never-ready`. */
  append: string;
}

/** The misbehaving guest for this tiny image (built on first use: ~15 MB of headers, one small module). */
export async function misbehavingGuest(tiny: BuiltImage): Promise<MisbehavingGuest> {
  const release = tiny.versions.kernelRelease;
  if (!release) throw new Error(`the ${tiny.name} image does not say its kernel release`);
  const dir = join(dirname(imagesCacheDir()), 'test-guests', `${tiny.name}-${tiny.key}`);
  const initrd = join(dir, 'initrd.img');
  if (!(await stat(initrd).catch(() => undefined))) {
    await mkdir(dir, { recursive: true });
    const work = await mkdtemp(join(tmpdir(), 'hwqual-misbehave-'));
    try {
      const root = join(work, 'overlay');
      await mkdir(root);
      await buildBugModule(release, work, join(root, 'hwqual_bug.ko'));
      await copyFile(join(SOURCES, 'init'), join(root, 'init'));
      await runLocal('chmod', ['755', join(root, 'init')]);
      await runShell(
        `printf 'init\\nhwqual_bug.ko\\n' | cpio -o -H newc --quiet | gzip -1 > '${join(work, 'overlay.gz')}'`,
        {
          cwd: root,
        },
      );
      const both = Buffer.concat([await readFile(tiny.initrd!), await readFile(join(work, 'overlay.gz'))]);
      await writeFile(`${initrd}.tmp`, both);
      await runLocal('mv', ['-f', `${initrd}.tmp`, initrd]);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
  return { kernel: tiny.kernel!, initrd, append: tiny.append ?? '' };
}

/** hwqual_bug.ko for one Debian kernel release: its headers, kbuild and common headers unpacked, then `make M=`. */
async function buildBugModule(release: string, work: string, out: string): Promise<void> {
  const headers = `linux-headers-${release}`;
  const deps = (await runLocal('apt-cache', ['depends', '--important', headers]))
    .split('\n')
    .map((l) => /Depends:\s*(linux-(?:headers|kbuild)-\S+)/.exec(l)?.[1])
    .filter((p): p is string => !!p);
  const root = join(work, 'root');
  for (const pkg of [headers, ...deps]) await runLocal('dpkg', ['-x', await downloadDeb(pkg, work), root]);
  const tree = join(root, 'usr/src', headers);
  // The flavour's Makefile includes the common headers by absolute path: point it into the unpacked tree.
  const makefile = join(tree, 'Makefile');
  await writeFile(makefile, (await readFile(makefile, 'utf8')).replaceAll('/usr/src/', `${root}/usr/src/`));
  const mod = join(work, 'module');
  await mkdir(mod);
  for (const f of ['hwqual_bug.c', 'Kbuild']) await copyFile(join(SOURCES, f), join(mod, f));
  await runLocal('make', ['-C', tree, `M=${mod}`, 'modules'], { timeoutMs: 300_000 });
  await copyFile(join(mod, 'hwqual_bug.ko'), out);
}
