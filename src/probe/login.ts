/** `id` output → who the login is: `uid=1001(qa) gid=1001(qa) groups=1001(qa),27(sudo)`. Pure. */
export function parseId(text: string): { user?: string; uid?: number; groups?: string[] } {
  const uid = /\buid=(\d+)(?:\(([^)]*)\))?/.exec(text);
  const groups = /\bgroups=(\S+)/.exec(text)?.[1];
  return {
    ...(uid?.[2] ? { user: uid[2] } : {}),
    ...(uid ? { uid: Number(uid[1]) } : {}),
    ...(groups ? { groups: groups.split(',').map((g) => /\(([^)]*)\)/.exec(g)?.[1] ?? g) } : {}),
  };
}
