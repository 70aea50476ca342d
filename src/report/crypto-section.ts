import { CRYPTO_COLUMNS, type CryptoInput, cryptoCells, cryptoRows } from './crypto-table.ts';
import { esc } from './html-escape.ts';

/**
 * "Encryption: host and guests" in report.html and report.md: one table built from results.json only (crypto-table.ts),
 * absent when the encryption suite recorded nothing.
 */
const INTRO =
  "The host's crypto flags, xts(aes) driver and aes-xts figures, and per CPU model what a guest got. Under TCG the " +
  'guest figures are emulated: only the driver and the ratio between models mean something, and no minimum is judged.';

export function cryptoHtmlSection(r: CryptoInput): string {
  const rows = cryptoRows(r);
  if (!rows.length) return '';
  const head = `<thead><tr>${CRYPTO_COLUMNS.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead>`;
  const body = rows.map(
    (row) =>
      `<tr>${cryptoCells(row)
        .map((v) => `<td>${esc(v)}</td>`)
        .join('')}</tr>`,
  );
  return (
    `<section id="encryption"><h2>Encryption: host and guests</h2><p>${esc(INTRO)}</p>` +
    `<table>${head}<tbody>${body.join('')}</tbody></table></section>`
  );
}

/** The same table in Markdown; `cell` makes host-derived text inert (markdown.ts mdText). */
export function cryptoMarkdownSection(r: CryptoInput, cell: (v: unknown) => string): string[] {
  const rows = cryptoRows(r);
  if (!rows.length) return [];
  return [
    '',
    '## Encryption: host and guests',
    '',
    INTRO,
    '',
    `| ${CRYPTO_COLUMNS.join(' | ')} |`,
    `|${CRYPTO_COLUMNS.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${cryptoCells(row).map(cell).join(' | ')} |`),
  ];
}
