import type { HostConfig, LabConfig, PlanConfig } from './types.ts';

/** A JSON Schema (draft-07) as a plain object. */
export type JsonSchema = { [key: string]: unknown };

/** A problem a cross-field rule found: the JSON pointer of the field in the plan file, and what is wrong. */
export interface PlanProblem {
  path: string;
  message: string;
}

/** What a suite's cross-field rules see: the plan as validated, the lab, and where each block was written. */
export interface PlanCheckInput {
  plan: PlanConfig;
  lab: LabConfig;
  /** The lab's hosts the plan selects (names, labels), in lab order. */
  hosts: HostConfig[];
  /**
   * JSON pointers of the blocks as the user wrote them: `/migration` or `/settings/migration`, `/images` or
   * `/matrix/images`.
   */
  at: { settings(key: string): string; matrix(axis: string): string; require(key: string): string };
}

/**
 * What one suite reads of a plan, declared next to its code in `suites/<name>/plan-schema.ts` (default export):
 * a JSON Schema per `require:` key and per `settings:` block (typed for the suite by declaration merging into
 * PlanRequire / PlanSettings), and the rules a schema cannot say. src/config composes every suite's part into the
 * plan schema (`hwqual schema plan`), so an unknown key, a wrong type or an out-of-range number is an error naming
 * the field, and `hwqual validate` runs the rules — all before any host is contacted. Adding a key is one edit in
 * that file.
 */
export interface PlanPart {
  /** The suite's folder name. */
  suite: string;
  require?: Record<string, JsonSchema>;
  settings?: Record<string, JsonSchema>;
  /** Settings blocks also accepted at the top of the plan (`migration:` is `settings.migration`). */
  topLevel?: readonly string[];
  /** Cross-field rules (a pair names a host the plan selects, an image exists…): problems, none when all hold. */
  check?(input: PlanCheckInput): PlanProblem[];
}
