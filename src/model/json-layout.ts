/**
 * `JSON.stringify(value, null, 2)` of a value, from its compact text (`JSON.stringify(value)`), without parsing it:
 * a scan that copies strings whole and puts line breaks and indentation around the structure. Every line after the
 * first is indented by `indent` more (an element nested in a larger document). A run's case log keeps cases compact
 * (stringified fast, no gap) and results.json is written from it through this (test/unit/json-layout.test.ts holds
 * it to JSON.stringify's own output).
 */
export function prettyJson(compact: string, indent = ''): string {
  const pad = [indent];
  const padAt = (level: number) => {
    for (let k = pad.length; k <= level; k++) pad.push(`${pad[k - 1]}  `);
    return pad[level]!;
  };
  const parts: string[] = [];
  const n = compact.length;
  let level = 0;
  let i = 0;
  while (i < n) {
    const ch = compact.charCodeAt(i);
    if (ch === 0x22) {
      const end = stringEnd(compact, i);
      parts.push(compact.slice(i, end + 1));
      i = end + 1;
    } else if (ch === 0x7b || ch === 0x5b) {
      const next = compact.charCodeAt(i + 1);
      if (next === 0x7d || next === 0x5d) {
        parts.push(compact.slice(i, i + 2));
        i += 2;
      } else {
        level++;
        parts.push(compact[i]!, '\n', padAt(level));
        i++;
      }
    } else if (ch === 0x7d || ch === 0x5d) {
      level--;
      parts.push('\n', padAt(level), compact[i]!);
      i++;
    } else if (ch === 0x2c) {
      parts.push(',\n', padAt(level));
      i++;
    } else if (ch === 0x3a) {
      parts.push(': ');
      i++;
    } else {
      let j = i + 1;
      while (j < n) {
        const c = compact.charCodeAt(j);
        if (c === 0x2c || c === 0x7d || c === 0x5d) break;
        j++;
      }
      parts.push(compact.slice(i, j));
      i = j;
    }
  }
  return parts.join('');
}

/** The index of the quote that closes the string opening at `start` (a quote after an even run of backslashes). */
function stringEnd(text: string, start: number): number {
  let from = start + 1;
  for (;;) {
    const q = text.indexOf('"', from);
    if (q < 0) throw new Error('unterminated string in JSON text');
    let backslashes = 0;
    for (let k = q - 1; text.charCodeAt(k) === 0x5c; k--) backslashes++;
    if (backslashes % 2 === 0) return q;
    from = q + 1;
  }
}
