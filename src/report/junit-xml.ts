import { stripXmlForbidden } from './xml-text.ts';

/**
 * The XML pieces junit.xml is written from, as strings (no document tree: a run of 60,000 cases made a tree of
 * ~300,000 nodes in xmlbuilder, seconds of time and GC). Every value goes through `attr` or `text`: XML-forbidden
 * characters removed (xml-text.ts), then escaped. Pretty-printed with two spaces per level, as xmlbuilder did.
 */
const ATTR: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\t': '&#x9;', '\n': '&#xA;', '\r': '&#xD;' };
const TEXT: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' };

/** An attribute value (inside double quotes); tabs and line breaks as character references, so a parser keeps them. */
export function attr(value: string | number): string {
  if (typeof value === 'number') return String(value);
  return stripXmlForbidden(value).replace(/[&<>"\t\n\r]/g, (ch) => ATTR[ch]!);
}

/** Element text. `]]>` needs no care: `>` is always escaped. */
export function text(value: string): string {
  return stripXmlForbidden(value).replace(/[&<>\r]/g, (ch) => TEXT[ch]!);
}

export type Attrs = ReadonlyArray<readonly [string, string | number | undefined]>;

/** ` a="v" b="w"`, leaving out undefined values. */
export function attrs(list: Attrs): string {
  let out = '';
  for (const [name, value] of list) if (value !== undefined) out += ` ${name}="${attr(value)}"`;
  return out;
}

/** `<name a="v"/>` or `<name a="v">text</name>`, indented. */
export function leaf(indent: string, name: string, list: Attrs, body?: string): string {
  return body ? `${indent}<${name}${attrs(list)}>${text(body)}</${name}>` : `${indent}<${name}${attrs(list)}/>`;
}
