import type { TestCase } from 'junit-report-builder';
import { stripXmlForbidden } from './xml-text.ts';

/**
 * The one place where hwqual extends junit-report-builder 5.1. The library cannot write a message on <skipped>,
 * a <flakyFailure>, or text bodies (it writes bodies as CDATA, and its CDATA escaping handles only the first `]]>`).
 * So the case is built by the library (counts, attributes, element names), then this post-pass over the element it
 * returns adds what is missing as text nodes, escaped by xmlbuilder. Children keep the order the Jenkins xunit
 * schema's readers expect: <failure>/<error>/<skipped>, then <flakyFailure>, then <system-out>.
 */
export interface CaseExtras {
  skippedMessage?: string;
  /** Text of <failure> / <error>. */
  body?: string;
  /** <flakyFailure type message> for a case that passed on a retry. */
  flaky?: { type: string; message: string };
  systemOut?: string;
}

/** xmlbuilder's element type, reached through the library's own signature (xmlbuilder is not our dependency). */
type XMLElement = ReturnType<TestCase['build']>;

/** Adds `extras` to the case's element when the library builds it; a case with no extras is left as it is. */
export function patchCase(testCase: TestCase, extras: CaseExtras): void {
  if (extras.skippedMessage === undefined && !extras.body && !extras.flaky && !extras.systemOut) return;
  const build = testCase.build.bind(testCase);
  testCase.build = (parent: XMLElement): XMLElement => {
    const element = build(parent);
    for (const child of element.children as unknown as XMLElement[]) {
      const name = child.name;
      if (name === 'skipped' && extras.skippedMessage !== undefined) child.att('message', clean(extras.skippedMessage));
      if ((name === 'failure' || name === 'error') && extras.body) child.text(clean(extras.body));
    }
    if (extras.flaky)
      element.ele('flakyFailure', { type: clean(extras.flaky.type), message: clean(extras.flaky.message) });
    if (extras.systemOut) element.ele('system-out').text(clean(extras.systemOut));
    return element;
  };
}

function clean(text: string): string {
  return stripXmlForbidden(text);
}
