/** What happened to a case. `failed` = the system under test is wrong; `error` = the lab is. */
export type CaseStatus = 'passed' | 'failed' | 'error' | 'skipped' | 'flaky' | 'cancelled' | 'waived';
export const CASE_STATUSES: readonly CaseStatus[] = [
  'passed',
  'failed',
  'error',
  'skipped',
  'flaky',
  'cancelled',
  'waived',
];

export type Severity = 'blocker' | 'major' | 'minor';
export const SEVERITIES: readonly Severity[] = ['blocker', 'major', 'minor'];
