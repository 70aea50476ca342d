// attr/text (src/report/xml-writer.ts) skip the work for values that need none: the same output as removing what
// XML 1.0 forbids and escaping, for every kind of character.
import { describe, expect, it } from 'vitest';
import { stripXmlForbidden } from '../../src/report/xml-text.ts';
import { attr, text } from '../../src/report/xml-writer.ts';

// The escaping spelled out one character at a time (xmlbuilder's: attributes & < " TAB LF CR; text & < > CR).
const slowAttr = (v: string) =>
  stripXmlForbidden(v)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('"', '&quot;')
    .replaceAll('\t', '&#x9;')
    .replaceAll('\n', '&#xA;')
    .replaceAll('\r', '&#xD;');
const slowText = (v: string) =>
  stripXmlForbidden(v)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('\r', '&#xD;');

const SPECIAL = ['&', '<', '>', '"', "'", '\t', '\n', '\r', '\0', '\x07', '\x0B', '\x1F', '\uFFFE', '\uFFFF'];
const values = [
  '',
  'host-checks.replay-00001',
  'cpu-flag-avx2: host check cpu-flag-avx2',
  'ü€ 😀',
  '\uD800 lone high',
  'lone low \uDC00',
  'pair 😀 and lone \uDBFF',
  ...SPECIAL.flatMap((ch) => [ch, `a${ch}b`, `${ch}${ch}x`]),
];

describe('xml-writer attr/text', () => {
  it.each(values.map((v) => [JSON.stringify(v), v]))('%s: as the full removal and escaping gives', (_, v) => {
    expect(attr(v)).toBe(slowAttr(v));
    expect(text(v)).toBe(slowText(v));
  });

  it('numbers are written as they print', () => {
    for (const n of [0, 0.051, 1e21, -3]) expect(attr(n)).toBe(String(n));
  });
});
