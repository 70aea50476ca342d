/**
 * The one escape function of the HTML report. Every string that reaches report.html goes through `esc` (text and
 * attribute values alike, always inside double quotes), or `href` for links. Host output, names, labels, facts,
 * messages, artifact names and chart labels are all untrusted.
 */
const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (ch) => ENTITIES[ch]!);
}

/**
 * A link to a file of the run folder: each path segment percent-encoded, so the result is always a relative URL
 * (`javascript:x` becomes `javascript%3Ax`), then escaped for the attribute. Absolute or `..` paths give '#'.
 */
export function href(relPath: string): string {
  const segments = relPath.split('/');
  if (relPath.startsWith('/') || segments.includes('..')) return '#';
  return esc(segments.map(encodeURIComponent).join('/'));
}
