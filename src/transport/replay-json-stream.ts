/**
 * Split a byte stream of concatenated JSON objects (QMP on the wire, or a `.replies` file) into objects.
 * QMP frames are not length-prefixed: objects follow each other, separated by any whitespace. This splitter
 * tracks brace depth outside strings, so it works on partial chunks and on pretty-printed files alike.
 */
export class JsonObjectSplitter {
  private buf = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private start = -1;
  private scanned = 0;

  /** Feed text; returns the raw text of every object completed by it, in order. */
  push(text: string): string[] {
    this.buf += text;
    const out: string[] = [];
    for (let i = this.scanned; i < this.buf.length; i++) {
      const ch = this.buf[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (ch === '\\') this.escaped = true;
        else if (ch === '"') this.inString = false;
        continue;
      }
      if (ch === '"') this.inString = true;
      else if (ch === '{') {
        if (this.depth === 0) this.start = i;
        this.depth++;
      } else if (ch === '}' && this.depth > 0) {
        this.depth--;
        if (this.depth === 0) {
          out.push(this.buf.slice(this.start, i + 1));
          this.buf = this.buf.slice(i + 1);
          i = -1;
          this.start = -1;
        }
      }
    }
    this.scanned = this.buf.length;
    if (this.depth === 0) {
      this.buf = '';
      this.scanned = 0;
    } // only whitespace (or stray text) between objects
    return out;
  }

  /** Text of an object that was started but not finished. */
  get pending(): string {
    return this.depth > 0 ? this.buf.slice(this.start) : '';
  }
}

/** The raw text of every top-level JSON object in a text, in order. Throws when the text ends inside an object. */
export function splitJsonObjects(text: string): string[] {
  const splitter = new JsonObjectSplitter();
  const objects = splitter.push(text);
  if (splitter.pending) throw new Error(`text ends inside a JSON object: ${splitter.pending.slice(0, 80)}…`);
  return objects;
}

/**
 * JSON text without the whitespace outside strings. Raw texts are kept because JSON.parse rounds integers above
 * 2^53 (QEMU prints u64 defaults such as 18446744073709551615): replies are replayed and saved from their text.
 */
export function minifyJson(raw: string): string {
  return raw.replace(/("(?:[^"\\]|\\.)*")|\s+/g, (_m, str: string | undefined) => str ?? '');
}

/** JSON text laid out as JSON.stringify(value, null, 2) would, without parsing it (numbers keep their digits). */
export function prettyJson(raw: string): string {
  const tokens = raw.match(/"(?:[^"\\]|\\.)*"|[{}[\],:]|[^{}[\],:"\s]+/g) ?? [];
  const out: string[] = [];
  let depth = 0;
  const indents: string[] = [];
  const nl = () => (indents[depth] ??= `\n${'  '.repeat(depth)}`);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === '{' || t === '[') {
      const close = t === '{' ? '}' : ']';
      if (tokens[i + 1] === close) {
        out.push(t + close);
        i++;
      } else {
        depth++;
        out.push(t, nl());
      }
    } else if (t === '}' || t === ']') {
      depth--;
      out.push(nl(), t);
    } else if (t === ',') out.push(',', nl());
    else if (t === ':') out.push(': ');
    else out.push(t);
  }
  return out.join('');
}

/** The top-level members of a JSON object's text, as [raw key, raw value] pairs (keys with their quotes). */
export function topLevelMembers(raw: string): Array<[string, string]> {
  const min = minifyJson(raw);
  const members: Array<[string, string]> = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = 1;
  for (let i = 0; i < min.length; i++) {
    const ch = min[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') depth--;
    if ((ch === ',' && depth === 1) || depth === 0) {
      const member = min.slice(start, i);
      if (member) {
        const colon = member.indexOf('":') + 1;
        members.push([member.slice(0, colon), member.slice(colon + 1)]);
      }
      start = i + 1;
    }
  }
  return members;
}
