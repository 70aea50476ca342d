/**
 * Text that came from hosts (command output, messages, facts) may hold characters XML 1.0 forbids: NUL and other
 * C0 controls except TAB/LF/CR, lone UTF-16 surrogates, U+FFFE and U+FFFF. They are removed here, once, before the
 * text goes into junit.xml (an XML parser rejects the whole file otherwise).
 */
const XML10_FORBIDDEN =
  /[\0-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function stripXmlForbidden(text: string): string {
  return text.replace(XML10_FORBIDDEN, '');
}

/** Cut long text at `maxChars`, saying so at the end, so one chatty case cannot make the report unreadable. */
export function truncateText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}\n… [${text.length - maxChars} more characters in the transcript file]`;
}
