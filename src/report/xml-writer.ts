import { stripXmlForbidden } from './xml-text.ts';

/**
 * The few XML pieces junit.xml needs, written as text: escaping as xmlbuilder does it (attribute values: & < " TAB
 * LF CR; text: & < > CR) after removing what XML 1.0 forbids (xml-text.ts), two-space indentation, empty elements
 * self-closed. junit.ts streams them: no document tree is built.
 */
export function attr(value: string | number): string {
  if (typeof value === 'number') return String(value);
  // Most values (names, times, host facts) need nothing: one test instead of two replaces, 300,000 cases a run.
  if (!ATTR_WORK.test(value)) return value;
  return stripXmlForbidden(value).replace(/[&<"\t\n\r]/g, (ch) => ATTR[ch]!);
}

export function text(value: string): string {
  if (!TEXT_WORK.test(value)) return value;
  return stripXmlForbidden(value).replace(/[&<>\r]/g, (ch) => TEXT[ch]!);
}

/** A character an attribute value or a text must lose or have escaped (XML10_FORBIDDEN's, surrogates, the escaped). */
const ATTR_WORK = /[\0-\x1F\uD800-\uDFFF\uFFFE\uFFFF&<"]/;
const TEXT_WORK = /[\0-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF&<>\r]/;

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
