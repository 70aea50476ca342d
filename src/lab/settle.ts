/**
 * Like Promise.all, but waits for every task before throwing the first failure: cleanup that follows a failure
 * must not race with a sibling task still making resources.
 */
export async function allOrFirstError<T>(tasks: Array<Promise<T>>): Promise<T[]> {
  const results = await Promise.allSettled(tasks);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
