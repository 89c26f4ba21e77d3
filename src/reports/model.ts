/**
 * What every report derives from a run: the canonical order, the flat list of checks, the
 * conformance level (mandatory [spec]/[interop] rules apart from [decision] rules) and coverage
 * statuses. Renderers only format these.
 */
import {
  type CheckResult,
  type CoverageItem,
  type Evidence,
  HARNESS_RULE,
  percentText,
  type RunResult,
  redactPasswords,
  type ScenarioResult,
  type StepResult,
  type Verdict,
} from '../scenario/result.ts';

/**
 * The run in report order: scenarios by id (the engine may finish them in any order when it runs
 * them in parallel), steps by index; checks and coverage items keep the engine's order. Passwords
 * in the evidence are redacted (the engine already does; a run.json of an older version may not).
 */
export function canonicalRun(run: RunResult): RunResult {
  const scenarios = [...run.scenarios]
    .sort((a, b) => compareIds(a.id, b.id))
    .map((s) => ({
      ...s,
      steps: [...s.steps].sort((a, b) => a.index - b.index).map(redactedStep),
    }));
  return { ...run, scenarios };
}

function redactedStep(step: StepResult): StepResult {
  if (!step.checks.some((c) => c.evidence?.request !== undefined || c.evidence?.response !== undefined))
    return step;
  return {
    ...step,
    checks: step.checks.map((c) => (c.evidence ? { ...c, evidence: redacted(c.evidence) } : c)),
  };
}

function redacted(e: Evidence): Evidence {
  return {
    ...e,
    ...(e.request !== undefined ? { request: redactPasswords(e.request) } : {}),
    ...(e.response !== undefined ? { response: redactPasswords(e.response) } : {}),
  };
}

/**
 * The step's number as the user reads it everywhere (console, reports): 1-based, the scenario's
 * steps as written (setup steps of generated scenarios included). `index` is 0-based.
 */
export const stepNumber = (step: Pick<StepResult, 'index'>) => step.index + 1;

/** A check recording that the scenario could not run to its end: no protocol rule, no basis. */
export const isHarnessError = (check: Pick<CheckResult, 'rule'>) => check.rule === HARNESS_RULE;

/** Code-unit order with digit runs compared as numbers, so `T2` < `T10` on every machine. */
export function compareIds(a: string, b: string): number {
  const ta = a.split(/(\d+)/);
  const tb = b.split(/(\d+)/);
  for (let i = 0; i < Math.min(ta.length, tb.length); i++) {
    const x = ta[i]!;
    const y = tb[i]!;
    if (x === y) continue;
    if (i % 2 === 1) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
    }
    return x < y ? -1 : 1;
  }
  return ta.length - tb.length || (a < b ? -1 : a > b ? 1 : 0);
}

export interface CheckRef {
  scenario: ScenarioResult;
  step: StepResult;
  check: CheckResult;
  /** Stable anchor: position of the scenario, the step index and the check's position. */
  anchor: string;
}

export function allChecks(run: RunResult): CheckRef[] {
  const out: CheckRef[] = [];
  run.scenarios.forEach((scenario, si) => {
    for (const step of scenario.steps) {
      step.checks.forEach((check, ci) => {
        out.push({ scenario, step, check, anchor: checkAnchor(si, step.index, ci) });
      });
    }
  });
  return out;
}

export const checkAnchor = (scenarioPos: number, stepIndex: number, checkPos: number) =>
  `c-${scenarioPos}-${stepIndex}-${checkPos}`;

export const isFailing = (v: Verdict) => v === 'fail' || v === 'error';

/** The scenarios that are scenarios: without the harness's bookkeeping (checks outside every scenario). */
export const realScenarios = (run: RunResult) => run.scenarios.filter((s) => !s.bookkeeping);
export const bookkeeping = (run: RunResult) => run.scenarios.filter((s) => s.bookkeeping);

/**
 * Why a scenario was not run, or undefined when it ran (verdict other than `skip`). Run results
 * before 1.2 carried the reason as an error `skipped: <reason>`; a skipped scenario with neither
 * (an older hand-made run) gives the message of its first skipped check.
 */
export function scenarioSkipReason(s: ScenarioResult): string | undefined {
  if (s.verdict !== 'skip') return undefined;
  if (s.skipReason !== undefined) return s.skipReason;
  if (s.error !== undefined) return /^skipped:\s*([\s\S]*)$/.exec(s.error)?.[1] ?? s.error;
  const check = s.steps.flatMap((st) => st.checks).find((c) => c.verdict === 'skip');
  return check?.message ?? 'no reason recorded';
}

/** Could not run to its end: in error, or stopped with an error. A skipped scenario was not run, by design. */
export const isIncomplete = (s: ScenarioResult) =>
  s.verdict === 'error' || (s.error !== undefined && s.verdict !== 'skip');

/** The scenarios not run (bookkeeping aside), with their reason. */
export function skippedScenarios(run: RunResult): { scenario: ScenarioResult; reason: string }[] {
  return realScenarios(run).flatMap((scenario) => {
    const reason = scenarioSkipReason(scenario);
    return reason === undefined ? [] : [{ scenario, reason }];
  });
}

export interface ScenarioCounts {
  /** Scenarios of the run, skipped ones included (bookkeeping aside). */
  total: number;
  /** Scenarios that ran: the total less the skipped ones. */
  ran: number;
  passed: number;
  skipped: number;
}

/** Scenario counts; a run result before 1.2 has no `scenariosSkipped`: counted from its scenarios. */
export function scenarioCounts(run: RunResult): ScenarioCounts {
  const t = run.totals;
  const skipped = t.scenariosSkipped ?? skippedScenarios(run).length;
  return { total: t.scenarios, ran: Math.max(0, t.scenarios - skipped), passed: t.scenariosPassed, skipped };
}

/** `160/160 passed, 3 skipped`: passed out of the scenarios that ran, the skipped ones apart. */
export function scenarioCountsText(n: ScenarioCounts): string {
  if (n.ran === 0 && n.skipped > 0) return `none run, ${n.skipped} skipped`;
  return `${n.passed}/${n.ran} passed${n.skipped ? `, ${n.skipped} skipped` : ''}`;
}

/** The reasons of skipped scenarios, each once (with its count when there are several reasons). */
export function skipReasonsText(skipped: { reason: string }[]): string {
  const counts = new Map<string, number>();
  for (const { reason } of skipped) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  if (counts.size === 1) return [...counts.keys()][0]!;
  return [...counts]
    .sort(([a], [b]) => compareIds(a, b))
    .map(([reason, n]) => `${plural(n, 'scenario')}: ${reason}`)
    .join('; ');
}

export interface Tally {
  checks: number;
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
}

const emptyTally = (): Tally => ({ checks: 0, passed: 0, failed: 0, errors: 0, skipped: 0 });

function add(t: Tally, v: Verdict): void {
  t.checks++;
  if (v === 'pass') t.passed++;
  else if (v === 'fail') t.failed++;
  else if (v === 'error') t.errors++;
  else t.skipped++;
}

/** The run's verdict as every report and the console write it. */
export const VERDICT_TITLE: Record<RunResult['verdict'], string> = {
  pass: 'PASS',
  fail: 'FAIL',
  'not-assessed': 'NOT ASSESSED',
};

export type ConformanceLevel =
  | 'conformant'
  | 'conformant-except-decisions'
  | 'not-conformant'
  | 'not-assessed';

export interface Conformance {
  level: ConformanceLevel;
  /** One English sentence saying what the level means for this run. */
  statement: string;
  /** Mandatory checks resting on the supplier spec or the Interop schemas. */
  normative: Tally;
  /** Mandatory checks resting on a [decision] of this project (a profile setting). */
  decision: Tally;
  /** Checks that never fail the run (warnings, information). */
  advisory: Tally;
  /** Harness errors (a scenario that could not run to its end): no protocol rule, counted apart. */
  harness: Tally;
  /** Scenarios that could not run to their end. */
  scenarioErrors: number;
  /** Scenarios not run, by design (the target lacks what they need): neither failed nor incomplete. */
  skipped: { scenario: ScenarioResult; reason: string }[];
}

export const LEVEL_TITLE: Record<ConformanceLevel, string> = {
  conformant: 'Conformant',
  'conformant-except-decisions': 'Conformant to [spec]/[interop] rules, departs from [decision] rules',
  'not-conformant': 'Not conformant',
  'not-assessed': 'Not assessed',
};

/**
 * The conformance level. A failing or erroring mandatory [spec]/[interop] check makes the
 * implementation not conformant; one on a [decision] rule only departs from this project's
 * choices (a user holding the real workbook may decide otherwise). Advisory checks never count.
 */
export function conformance(run: RunResult): Conformance {
  const normative = emptyTally();
  const decision = emptyTally();
  const advisory = emptyTally();
  const harness = emptyTally();
  for (const { check } of allChecks(run)) {
    add(
      isHarnessError(check)
        ? harness
        : !check.mandatory
          ? advisory
          : check.basis === 'decision'
            ? decision
            : normative,
      check.verdict,
    );
  }
  const scenarioErrors = realScenarios(run).filter(isIncomplete).length;
  const skipped = skippedScenarios(run);
  const everySkipped = skipped.length > 0 && skipped.length === realScenarios(run).length;
  const bad = (t: Tally) => t.failed + t.errors;
  let level: ConformanceLevel;
  let statement: string;
  if (bad(normative) > 0) {
    level = 'not-conformant';
    // Both counts when both exist: the [decision] failures are no less part of the verdict.
    statement = `${plural(bad(normative), 'mandatory [spec]/[interop] check')}${bad(decision) > 0 ? ` and ${plural(bad(decision), 'mandatory [decision] check')}` : ''} failed.`;
  } else if (everySkipped) {
    level = 'not-assessed';
    statement = `Every selected scenario was skipped, so no check was assessed: ${skipReasonsText(skipped)}.`;
  } else if (normative.passed + decision.passed === 0) {
    level = 'not-assessed';
    statement = 'No mandatory check passed: the run does not assess the implementation.';
  } else if (bad(decision) > 0) {
    level = 'conformant-except-decisions';
    statement = `Every mandatory [spec]/[interop] check passed; ${plural(bad(decision), 'mandatory check')} resting on a [decision] of this project failed.`;
  } else if (scenarioErrors > 0) {
    level = 'not-assessed';
    statement = `${plural(scenarioErrors, 'scenario')} could not run to the end: the run is incomplete.`;
  } else {
    level = 'conformant';
    statement = 'Every mandatory check passed, [spec]/[interop] and [decision] rules alike.';
  }
  if (skipped.length > 0 && !everySkipped) {
    statement += ` ${plural(skipped.length, 'scenario')} skipped: ${skipReasonsText(skipped)}.`;
  }
  return { level, statement, normative, decision, advisory, harness, scenarioErrors, skipped };
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export type CoverageStatus = 'failed' | 'passed' | 'covered' | 'not-covered';

export const COVERAGE_TITLE: Record<CoverageStatus, string> = {
  failed: 'failed',
  passed: 'passed',
  covered: 'covered (no verdict)',
  'not-covered': 'not covered',
};

/** failed wins over passed: a transition that passed once and failed once is failed. */
export function coverageStatus(item: CoverageItem | undefined): CoverageStatus {
  if (!item?.exercised) return 'not-covered';
  if (item.failed) return 'failed';
  if (item.passed) return 'passed';
  return 'covered';
}

export interface CoverageCount {
  total: number;
  exercised: number;
  passed: number;
  failed: number;
}

export function countCoverage(items: CoverageItem[]): CoverageCount {
  return {
    total: items.length,
    exercised: items.filter((i) => i.exercised).length,
    passed: items.filter((i) => coverageStatus(i) === 'passed').length,
    failed: items.filter((i) => i.failed).length,
  };
}

/** The one rounding of the console and every report (see {@link percentText}). */
export const percent = percentText;

/** Milliseconds as a short human duration (`850 ms`, `12.3 s`, `2 min 05 s`). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/** Wall time of the run from its own timestamps (never the clock of the renderer). */
export function runDurationMs(run: RunResult): number {
  const d = Date.parse(run.finishedAt) - Date.parse(run.startedAt);
  return Number.isFinite(d) && d >= 0 ? d : Number.NaN;
}

export const ROLE_TEXT = {
  oc: 'OI under test (the harness plays the OC)',
  oi: 'OC under test (the harness plays the OI)',
} as const;

/**
 * The implementation's own role: `implementation.role` is the role the HARNESS plays (`oc`
 * certifies an OI), kept for old run files; people read what is under test.
 */
export const UNDER_TEST = { oc: 'OI', oi: 'OC' } as const;

/** `OI under test`: the short form, for names and one-line headers. */
export const underTestText = (run: RunResult) =>
  `${UNDER_TEST[run.implementation.role] ?? run.implementation.role} under test`;

/** Failed advisory checks of a scenario: warnings on it, never a failure of it. */
export const advisoryFailures = (s: ScenarioResult) =>
  s.steps.reduce((n, st) => n + st.checks.filter((c) => !c.mandatory && c.verdict === 'fail').length, 0);

/**
 * How JUnit's counts differ from the totals of the other reports, by design: a failed advisory
 * check is a passing testcase there (with its warning in system-out: CI must not go red on a
 * green gate), and a scenario with no check of its own (skipped, or stopped before its first
 * check) is one placeholder testcase. Each report states these where it gives its totals.
 */
export interface JunitCountDifferences {
  /** Failed advisory checks: `failed` in the totals, passing testcases in JUnit. */
  advisoryFailed: number;
  /** Skipped scenarios without checks: one `<skipped>` testcase each, no check in the totals. */
  skippedPlaceholders: number;
  /** Scenarios that stopped with an error no check records: one `<error>` testcase each. */
  errorPlaceholders: number;
}

/** The scenario's error when no check already records it (JUnit gives it a testcase of its own). */
export function untoldScenarioError(s: ScenarioResult): string | undefined {
  if (s.error === undefined || !isIncomplete(s)) return undefined;
  const told = s.steps.some((st) =>
    st.checks.some((c) => c.verdict === 'error' && (isHarnessError(c) || c.message === s.error)),
  );
  return told ? undefined : s.error;
}

/** Skipped before its first check: JUnit's one skipped testcase for the scenario. */
export const skippedPlaceholder = (s: ScenarioResult) =>
  scenarioSkipReason(s) !== undefined && s.steps.every((st) => st.checks.length === 0);

export function junitCountDifferences(run: RunResult): JunitCountDifferences {
  let advisoryFailed = 0;
  let skippedPlaceholders = 0;
  let errorPlaceholders = 0;
  for (const s of run.scenarios) {
    advisoryFailed += advisoryFailures(s);
    if (skippedPlaceholder(s)) skippedPlaceholders++;
    else if (untoldScenarioError(s) !== undefined) errorPlaceholders++;
  }
  return { advisoryFailed, skippedPlaceholders, errorPlaceholders };
}

/** The differences said in English (empty when JUnit counts exactly as the other reports). */
export function junitCountNotes(d: JunitCountDifferences): string[] {
  const notes: string[] = [];
  if (d.advisoryFailed > 0)
    notes.push(
      `JUnit counts ${d.advisoryFailed === 1 ? 'the failed advisory check as a passing testcase' : `the ${d.advisoryFailed} failed advisory checks as passing testcases`} (warning in system-out): an advisory check never fails the run, so its failures are not JUnit failures.`,
    );
  if (d.skippedPlaceholders > 0)
    notes.push(
      `JUnit adds one skipped testcase per skipped scenario (${d.skippedPlaceholders}), which has no check here.`,
    );
  if (d.errorPlaceholders > 0)
    notes.push(
      `JUnit adds one error testcase per scenario that could not run to its end with no check saying why (${d.errorPlaceholders}).`,
    );
  return notes;
}

export function implementationText(run: RunResult): string {
  const i = run.implementation;
  return `${i.name}${i.version ? ` ${i.version}` : ''}`;
}

export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(compareIds);
}
