import { messageOf } from '../model/errors.ts';

/**
 * Start a migration destination listening on `tcp:<address>:<port>`, a random port of the dynamic range, trying
 * another port (up to 4 in all) when QEMU says the one picked is taken. Returns what `start` returned and the URI.
 */
export async function onFreePort<T>(
  address: string,
  start: (incoming: string) => Promise<T>,
): Promise<{ started: T; uri: string }> {
  let last: unknown;
  for (let i = 0; i < 4; i++) {
    const uri = `tcp:${address}:${49152 + Math.floor(Math.random() * 12000)}`;
    try {
      return { started: await start(uri), uri };
    } catch (err) {
      last = err;
      if (!/Address already in use|Failed to bind/i.test(messageOf(err))) throw err;
    }
  }
  throw last;
}
