import { stripXmlForbidden } from './xml-text.ts';

/**
 * The few XML pieces junit.xml needs, written as text: escaping as xmlbuilder does it (attribute values: & < " TAB
 * LF CR; text: & < > CR) after removing what XML 1.0 forbids (xml-text.ts), two-space indentation, empty elements
 * self-closed. junit.ts streams them: no document tree is built.
 */
export function attr(value: string | number): string {
  return stripXmlForbidden(String(value)).replace(/[&<"\t\n\r]/g, (ch) => ATTR[ch]!);
}

export function text(value: string): string {
  return stripXmlForbidden(value).replace(/[&<>\r]/g, (ch) => TEXT[ch]!);
}

const ATTR: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '"': '&quot;',
  '\t': '&#x9;',
  '\n': '&#xA;',
  '\r': '&#xD;',
};
const TEXT: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' };

/** `<name a="1" b="2"` (attributes with an undefined value are left out); close it with `/>` or `>`. */
export function open(name: string, attributes: Array<[string, string | number | undefined]>): string {
  let out = `<${name}`;
  for (const [k, v] of attributes) if (v !== undefined) out += ` ${k}="${attr(v)}"`;
  return out;
}

/** `<name …/>`, or `<name …>text</name>` when there is text. */
export function element(
  indent: string,
  name: string,
  attributes: Array<[string, string | number | undefined]>,
  body?: string,
): string {
  return body
    ? `${indent}${open(name, attributes)}>${text(body)}</${name}>\n`
    : `${indent}${open(name, attributes)}/>\n`;
}
