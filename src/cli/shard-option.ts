import { HwqualError } from '../model/errors.ts';
import { parseShard, type ShardSpec } from '../runner/shard.ts';

/**
 * `hwqual run --shard i/n` or `--shard auto`. `auto` reads the CI's own variables: GitLab's `CI_NODE_INDEX` /
 * `CI_NODE_TOTAL` (a job with `parallel: n`; `CI_NODE_TOTAL=1` alone is a job that is not parallel: not sharded),
 * or `HWQUAL_SHARD=i/n`, which a Jenkins or GitHub Actions file sets from its matrix (docs/ci/). Both set and
 * different, one of GitLab's pair without the other, or nothing set: bad input (exit 2), nothing run.
 */
export interface ShardChoice {
  shard?: ShardSpec;
  /** What `auto` found, for the run's first line on stderr. */
  said?: string;
}

export function resolveShardOption(value: string | undefined, env: NodeJS.ProcessEnv = process.env): ShardChoice {
  if (value === undefined) return {};
  if (value.trim() !== 'auto') return { shard: parseShard(value) };
  const gitlab = fromGitlab(env);
  const named = env.HWQUAL_SHARD?.trim()
    ? { shard: parseVar('HWQUAL_SHARD', env.HWQUAL_SHARD), said: `HWQUAL_SHARD=${env.HWQUAL_SHARD.trim()}` }
    : undefined;
  if (gitlab && named) {
    const a = gitlab.shard;
    const b = named.shard;
    const same = a ? a.index === b.index && a.total === b.total : b.total === 1;
    if (!same)
      throw new HwqualError('E_USAGE', `--shard auto: ${gitlab.said} and ${named.said} disagree: set only one of them`);
  }
  const found = gitlab ?? named;
  if (!found)
    throw new HwqualError(
      'E_USAGE',
      '--shard auto: no shard in the environment: GitLab sets CI_NODE_INDEX and CI_NODE_TOTAL in a job with ' +
        '`parallel: n`; from a Jenkins or GitHub Actions matrix set HWQUAL_SHARD=i/n (docs/ci/), or pass --shard i/n',
    );
  return found.shard
    ? { shard: found.shard, said: `shard ${found.shard.index}/${found.shard.total} from ${found.said}` }
    : { said: `not sharded: ${found.said}` };
}

/** GitLab's pair; CI_NODE_TOTAL=1 without an index is a job that is not parallel (no shard). */
function fromGitlab(env: NodeJS.ProcessEnv): { shard?: ShardSpec; said: string } | undefined {
  const index = env.CI_NODE_INDEX?.trim();
  const total = env.CI_NODE_TOTAL?.trim();
  if (!index && !total) return undefined;
  const said = `GitLab CI_NODE_INDEX=${index ?? '(unset)'}, CI_NODE_TOTAL=${total ?? '(unset)'}`;
  if (!index && total === '1') return { said };
  if (!index || !total)
    throw new HwqualError('E_USAGE', `--shard auto: ${said}: a parallel GitLab job sets both (parallel: n)`);
  return { shard: parseVar('CI_NODE_INDEX/CI_NODE_TOTAL', `${index}/${total}`), said };
}

function parseVar(name: string, text: string): ShardSpec {
  try {
    return parseShard(text);
  } catch (err) {
    throw new HwqualError(
      'E_USAGE',
      `--shard auto: ${name}=${text.trim()}: ${(err as Error).message.replace(/^--shard /, '')}`,
    );
  }
}
