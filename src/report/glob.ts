/** `*` = any run of characters, `?` = one character, everything else literal; the whole string must match. */
export function globToRegExp(glob: string): RegExp {
  const body = [...glob]
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 's');
}

export function globMatch(glob: string | undefined, value: string): boolean {
  return glob === undefined || globToRegExp(glob).test(value);
}
