import { requireHost, requireNetns, requireState } from './lookup.ts';
import { setLink } from './netns.ts';

/** Cut a host off (`down`) or plug it back (`up`): the administrative state of its veth on the bridge. */
export async function labLink(dir: string, hostName: string, state: 'up' | 'down'): Promise<void> {
  const lab = requireState(dir);
  const host = requireHost(lab, hostName);
  requireNetns(lab, 'lab link');
  await setLink(host.vethHost!, state);
}
