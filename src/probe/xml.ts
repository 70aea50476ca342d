/**
 * Just enough XML for libvirt's machine-written files (cpudata, domcapabilities): elements with quoted attributes,
 * no CDATA, no namespaces. Not a general parser.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  /** Text between the open and close tag (raw, entities decoded); '' for self-closing elements. */
  inner: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeEntities(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ENTITIES[e]);
}

export function parseAttrs(s: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of s.matchAll(/([\w:.-]+)\s*=\s*(?:'([^']*)'|"([^"]*)")/g))
    attrs[m[1]] = decodeEntities(m[2] ?? m[3] ?? '');
  return attrs;
}

/** Every element named `name` in `xml` (in document order; an element nested in a same-named one is not handled). */
export function elements(xml: string, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const re = new RegExp(`<${name}(\\s[^>]*?)?(/?)>`, 'g');
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    const attrs = parseAttrs(m[1] ?? '');
    if (m[2] === '/') {
      out.push({ name, attrs, inner: '' });
      continue;
    }
    const close = xml.indexOf(`</${name}>`, re.lastIndex);
    const end = close < 0 ? xml.length : close;
    out.push({ name, attrs, inner: xml.slice(re.lastIndex, end) });
    re.lastIndex = end;
  }
  return out;
}

export function firstElement(xml: string, name: string): XmlElement | undefined {
  return elements(xml, name)[0];
}

export function textOf(el: XmlElement | undefined): string | undefined {
  return el ? decodeEntities(el.inner.replace(/<[^>]*>/g, '')).trim() : undefined;
}
