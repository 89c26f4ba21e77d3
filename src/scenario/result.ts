/**
 * The canonical result of a conformance run: what the scenario engine produces and every report
 * renders. Versioned; a JSON Schema for it lives in src/reports.
 */
import type { BasisKind } from '../profile/index.ts';

/**
 * The version this tool writes. 1.1 adds `bookkeeping` on a scenario, and `totals.scenarios` no
 * longer counts those; a 1.0 result is a 1.1 result without them, so both are read.
 * 1.2 adds `skipReason` on a scenario not run (verdict `skip`, no `error`), `totals.scenariosSkipped`
 * and the run verdict `not-assessed`. Before 1.2 a skipped scenario carried its reason as an `error`
 * starting with `skipped:`: readers take it as the reason (see `scenarioSkipReason` in src/reports).
 */
export const RUN_RESULT_VERSION = '1.2';
export const RUN_RESULT_VERSIONS = ['1.0', '1.1', RUN_RESULT_VERSION] as const;
export type RunResultVersion = (typeof RUN_RESULT_VERSIONS)[number];

export type Verdict = 'pass' | 'fail' | 'skip' | 'error';

/**
 * The verdict of a step from its checks, or of a scenario from its steps: an error wins, then a
 * failed mandatory check. A failed advisory check (`mandatory: false`) never fails its step nor its
 * scenario: it is a warning on them, as it never fails the run.
 */
export const verdictOf = (items: { verdict: Verdict; mandatory?: boolean }[]): Verdict =>
  items.some((c) => c.verdict === 'error')
    ? 'error'
    : items.some((c) => c.verdict === 'fail' && c.mandatory !== false)
      ? 'fail'
      : 'pass';

/**
 * `part` of `whole` as a percentage, the one rounding of the console and every report: rounded
 * down to one decimal (never 100% while one item is missing), `.0` dropped; `-` of nothing.
 */
export function percentText(part: number, whole: number): string {
  if (whole <= 0) return '-';
  return `${Math.floor((1000 * part) / whole) / 10}%`;
}

/**
 * The rule of the check a scenario records when it cannot run to its end: an error of the harness
 * (or of the environment), not a protocol rule the implementation under test broke.
 */
export const HARNESS_RULE = 'HARNESS';

export { REDACTED, redactPasswords } from '../soap/redact.ts';

export interface Evidence {
  /** Raw XML as sent and as received, the text of every Password element redacted. */
  request?: string;
  response?: string;
  /** HTTP status of the response, when there was one. */
  httpStatus?: number;
  durationMs?: number;
  /** Local name of the element to highlight in the XML (the offending field). */
  highlight?: string;
  /** Anything else worth keeping (a push received, a ticket read back). */
  notes?: string[];
}

export interface CheckResult {
  /** Unique within its step. */
  id: string;
  title: string;
  /** Rule id (profile rule, transition id, action id or a harness rule). */
  rule: string;
  clause: string;
  basis: BasisKind;
  /** A failed mandatory check fails the run (the CI gate); others are reported only. */
  mandatory: boolean;
  /** Severity of the finding behind the check, when it comes from one (a warning is never mandatory). */
  severity?: 'error' | 'warning' | 'info';
  verdict: Verdict;
  expected?: string;
  actual?: string;
  message: string;
  evidence?: Evidence;
}

export interface StepResult {
  /**
   * Position of the step in the scenario as written, 0-based (the setup steps of a generated
   * scenario included). Shown to the user as `index + 1` everywhere (console, reports, errors).
   */
  index: number;
  /** e.g. `oc.create`, `oi.takeInCharge`, `get`, `raw`, `wait`. */
  kind: string;
  title: string;
  actor: 'OC' | 'OI' | 'harness';
  transition?: string;
  action?: string;
  verdict: Verdict;
  durationMs: number;
  checks: CheckResult[];
}

export interface ScenarioResult {
  id: string;
  title: string;
  file: string;
  tags: string[];
  clauses: string[];
  verdict: Verdict;
  durationMs: number;
  steps: StepResult[];
  /** Why the scenario could not run to its end, if it could not. Never set on a skipped scenario. */
  error?: string;
  /**
   * Why the scenario was not run (verdict `skip`, no steps): it needs what the target lacks, e.g.
   * `needs business-refusals`. A skipped scenario is neither a failure nor an incomplete run. Since 1.2.
   */
  skipReason?: string;
  /**
   * Not a scenario: checks the harness made outside every scenario (role oi: requests of the OC
   * under test that no step waited for). Shown like a scenario, never counted as one in the totals.
   */
  bookkeeping?: true;
}

export interface CoverageItem {
  id: string;
  title: string;
  exercised: boolean;
  passed: boolean;
  failed: boolean;
}

export interface Coverage {
  transitions: CoverageItem[];
  actions: CoverageItem[];
  rules: CoverageItem[];
}

export interface RunTotals {
  /**
   * Scenarios of the run, skipped ones included (bookkeeping ones are not scenarios: their checks
   * count, they do not).
   */
  scenarios: number;
  scenariosPassed: number;
  /** Scenarios not run (verdict `skip`: the target lacks what they need); part of `scenarios`. Since 1.2. */
  scenariosSkipped?: number;
  checks: number;
  passed: number;
  failed: number;
  skipped: number;
  errors: number;
  mandatoryFailed: number;
}

export interface RunResult {
  schemaVersion: RunResultVersion;
  tool: { name: string; version: string };
  profile: { id: string; version: string };
  implementation: {
    name: string;
    version?: string;
    /** The role the harness plays: `oc` certifies an OI, `oi` certifies an OC. */
    role: 'oc' | 'oi';
    endpoint: string;
    kind: 'embedded' | 'url';
  };
  startedAt: string;
  finishedAt: string;
  scenarios: ScenarioResult[];
  coverage: Coverage;
  totals: RunTotals;
  /**
   * `fail`: a mandatory check failed or a scenario could not run to its end; `not-assessed`: nothing
   * failed but no mandatory check was assessed (every selected scenario skipped, say), which is no
   * pass (since 1.2); `pass` otherwise.
   */
  verdict: RunVerdict;
}

export type RunVerdict = 'pass' | 'fail' | 'not-assessed';
