import { randomBytes } from 'node:crypto';
import { caseJsonText, type RunRecord } from '../model/result.ts';

/**
 * results.json in pieces, byte for byte what `JSON.stringify(results, null, 2)` + newline gives — the same keys in
 * the same order, the same indentation — without the whole text (250 MB at 10,000 hosts) or every case in memory at
 * once: everything but the cases is stringified around a placeholder, and each case is stringified as the pass
 * reaches it.
 */
export function* resultsJsonPieces(results: RunRecord): Generator<string | Uint8Array> {
  const token = `hwqual-cases-${randomBytes(12).toString('hex')}`;
  const text = `${JSON.stringify({ ...results, cases: token }, null, 2)}\n`;
  const at = text.indexOf(`"${token}"`);
  yield text.slice(0, at);
  let first = true;
  // A case is an element of the top-level `cases` array (caseJsonText lays it out so). Cases that come with their
  // text (a run's case log) are copied, not parsed and stringified again.
  const texts = results.cases.texts ? results.cases.texts() : undefined;
  for (const text of texts ? mapIter(texts, (t) => t.text) : mapIter(results.cases, caseJsonText)) {
    yield first ? '[\n    ' : ',\n    ';
    yield text;
    first = false;
  }
  yield first ? '[]' : '\n  ]';
  yield text.slice(at + token.length + 2);
}

function* mapIter<T, U>(items: Iterable<T>, f: (x: T) => U): Generator<U> {
  for (const x of items) yield f(x);
}
