/**
 * JUnit XML in the structure CI systems read (Ant/Jenkins junit-10.xsd): one testsuite per
 * scenario (named by its id), one testcase per check (classname = role + scenario id, name = step +
 * check title). CI tools key a test case by (classname, name) and track it from run to run: every
 * pair is unique in the file, the role keeps the two files of `--role both` apart, and the same run
 * always gets the same names.
 * A failed mandatory check is a <failure>, a harness error an <error>, a skipped check <skipped>.
 * A failed advisory check (never fails the run) stays a passing testcase with a warning in
 * system-out, so CI does not show red for a run whose gate is green; a scenario with no check of
 * its own (skipped, or stopped before any check said why) is one placeholder testcase. The file
 * says so where it gives its counts (the header comment, the suite's properties), as the other
 * reports do under their totals.
 */
import type { CheckResult, Evidence, RunResult, ScenarioResult, StepResult } from '../scenario/result.ts';
import { cdata, escapeAttr, escapeText, xmlSafeChars } from './escape.ts';
import {
  advisoryFailures,
  canonicalRun,
  conformance,
  implementationText,
  isHarnessError,
  junitCountDifferences,
  junitCountNotes,
  LEVEL_TITLE,
  ROLE_TEXT,
  runDurationMs,
  scenarioSkipReason,
  skippedPlaceholder,
  stepNumber,
  UNDER_TEST,
  underTestText,
  untoldScenarioError,
  VERDICT_TITLE,
} from './model.ts';

const seconds = (ms: number | undefined) =>
  (ms !== undefined && Number.isFinite(ms) && ms >= 0 ? ms / 1000 : 0).toFixed(3);

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

export function renderJunit(input: RunResult): string {
  const run = canonicalRun(input);
  const suites: string[] = [];
  const total: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const names = new CaseNames();
  run.scenarios.forEach((scenario, i) => {
    const { xml, counts } = suite(run, scenario, i, names);
    suites.push(xml);
    total.tests += counts.tests;
    total.failures += counts.failures;
    total.errors += counts.errors;
    total.skipped += counts.skipped;
  });
  const wall = runDurationMs(run);
  const time = Number.isFinite(wall) ? wall : run.scenarios.reduce((t, s) => t + s.durationMs, 0);
  const level = conformance(run);
  const i = run.implementation;
  const head = [
    `${run.tool.name} ${run.tool.version}, profile ${run.profile.id} ${run.profile.version}`,
    `implementation: ${implementationText(run)}, ${ROLE_TEXT[i.role] ?? i.role}, ${i.endpoint} (${i.kind})`,
    `verdict: ${VERDICT_TITLE[run.verdict]}, ${LEVEL_TITLE[level.level]}: ${level.statement}`,
    `run: ${run.startedAt} .. ${run.finishedAt}`,
    `counts: ${total.tests} testcases, ${total.failures} failures (failed mandatory checks), ${total.errors} errors, ${total.skipped} skipped`,
    ...junitCountNotes(junitCountDifferences(run)),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<!--\n${head.map((l) => `  ${comment(l)}`).join('\n')}\n-->`,
    `<testsuites name="${escapeAttr(`${run.tool.name}: ${implementationText(run)} (${underTestText(run)})`)}" tests="${total.tests}" failures="${total.failures}" errors="${total.errors}" time="${seconds(time)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

/** Comment text cannot hold `--` nor end with `-`. */
const comment = (s: string) =>
  xmlSafeChars(s)
    .replace(/-(?=-)/g, '- ')
    .replace(/-$/, '- ');

/**
 * The (classname, name) pairs given so far. A repeated name (a step that judges two answers with
 * the same check titles, a hand-edited run.json) gets the check's id, unique within its step, then
 * a counter: deterministic, as the canonical order of the run is.
 */
class CaseNames {
  private readonly used = new Set<string>();

  take(classname: string, name: string, discriminator: string): string {
    let n = name;
    if (this.has(classname, n)) n = `${name} [${discriminator}]`;
    for (let i = 2; this.has(classname, n); i++) n = `${name} [${discriminator}] (${i})`;
    this.used.add(`${classname}\u0000${n}`);
    return n;
  }

  private has(classname: string, name: string): boolean {
    return this.used.has(`${classname}\u0000${name}`);
  }
}

/** The role first: both roles run scenarios of the same ids (`oc.hostile.dtd`, `oi.hostile.dtd`). */
const classnameOf = (run: RunResult, scenario: ScenarioResult) => `${run.implementation.role}.${scenario.id}`;

function suite(
  run: RunResult,
  scenario: ScenarioResult,
  position: number,
  names: CaseNames,
): { xml: string; counts: Counts } {
  const counts: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const cases: string[] = [];
  const classname = classnameOf(run, scenario);
  for (const step of scenario.steps) {
    step.checks.forEach((check, i) => {
      counts.tests++;
      const name = names.take(classname, `${stepNumber(step)}. ${step.title} › ${check.title}`, check.id);
      // The step's time goes to its first check, so testcase times add up to the scenario's.
      cases.push(testcase(classname, name, step, check, counts, i === 0 ? step.durationMs : 0));
    });
  }
  // A scenario skipped before its first step (the target lacks a capability it needs) is one
  // skipped testcase with its reason, not an error. Why a scenario stopped is an error testcase,
  // unless a check already says it (the engine records it as a HARNESS error check of the step
  // that stopped): counted once.
  const skipReason = scenarioSkipReason(scenario);
  const untold = untoldScenarioError(scenario);
  const caseOpen = (name: string) =>
    `    <testcase classname="${escapeAttr(classname)}" name="${escapeAttr(names.take(classname, name, 'scenario'))}" time="0.000">\n`;
  if (skipReason !== undefined && skippedPlaceholder(scenario)) {
    counts.tests++;
    counts.skipped++;
    cases.push(
      `${caseOpen('scenario skipped')}      <skipped message="${escapeAttr(skipReason)}"/>\n    </testcase>`,
    );
  } else if (untold !== undefined) {
    counts.tests++;
    counts.errors++;
    cases.push(
      `${caseOpen('scenario error')}      <error type="scenario" message="${escapeAttr(untold)}">${escapeText(untold)}</error>\n    </testcase>`,
    );
  }
  const i = run.implementation;
  const props: [string, string][] = [
    ['title', scenario.title],
    ['tags', scenario.tags.join(', ')],
    ['clauses', scenario.clauses.join(', ')],
    ['verdict', scenario.verdict],
  ];
  const warnings = advisoryFailures(scenario);
  if (warnings > 0)
    props.push([
      'warnings',
      `${warnings} failed advisory check${warnings === 1 ? '' : 's'}: passing testcase${warnings === 1 ? '' : 's'} here (warning in system-out), never a failure of the scenario or the run`,
    ]);
  if (skipReason !== undefined && skippedPlaceholder(scenario))
    props.push(['skipped', `scenario not run: one placeholder testcase, no check (${skipReason})`]);
  props.push(
    ['implementation', i.name],
    ...(i.version !== undefined ? ([['implementation.version', i.version]] as [string, string][]) : []),
    ['implementation.role', UNDER_TEST[i.role] ?? i.role],
    ['implementation.endpoint', i.endpoint],
  );
  if (scenario.bookkeeping)
    props.unshift(['bookkeeping', 'not a scenario: checks the harness made outside every scenario']);
  const attrs = [
    ['name', scenario.id],
    ['tests', String(counts.tests)],
    ['failures', String(counts.failures)],
    ['errors', String(counts.errors)],
    ['skipped', String(counts.skipped)],
    ['time', seconds(scenario.durationMs)],
    ['timestamp', run.startedAt],
    ['id', String(position)],
    ['package', run.profile.id],
    ['file', scenario.file],
  ]
    .map(([k, v]) => `${k}="${escapeAttr(v!)}"`)
    .join(' ');
  const xml = [
    `  <testsuite ${attrs}>`,
    '    <properties>',
    ...props.map(([k, v]) => `      <property name="${k}" value="${escapeAttr(v)}"/>`),
    '    </properties>',
    ...cases,
    '  </testsuite>',
  ].join('\n');
  return { xml, counts };
}

function testcase(
  classname: string,
  name: string,
  step: StepResult,
  check: CheckResult,
  counts: Counts,
  timeMs: number,
): string {
  const open = `    <testcase classname="${escapeAttr(classname)}" name="${escapeAttr(name)}" time="${seconds(timeMs)}"`;
  const body: string[] = [];
  const detail = describe(step, check);
  if (check.verdict === 'skip') {
    counts.skipped++;
    body.push(`      <skipped message="${escapeAttr(check.message)}"/>`);
  } else if (check.verdict === 'error') {
    counts.errors++;
    body.push(
      `      <error type="${escapeAttr(check.rule)}" message="${escapeAttr(check.message)}">${escapeText(detail)}</error>`,
    );
    body.push(systemOut(check.evidence));
  } else if (check.verdict === 'fail' && check.mandatory) {
    counts.failures++;
    body.push(
      `      <failure type="${escapeAttr(check.rule)}" message="${escapeAttr(check.message)}">${escapeText(detail)}</failure>`,
    );
    body.push(systemOut(check.evidence));
  } else if (check.verdict === 'fail') {
    body.push(systemOut(check.evidence, `advisory check failed (does not fail the run)\n${detail}`));
  }
  const inner = body.filter(Boolean);
  return inner.length === 0 ? `${open}/>` : `${open}>\n${inner.join('\n')}\n    </testcase>`;
}

function describe(step: StepResult, check: CheckResult): string {
  const where = [step.actor, step.transition, step.action].filter(Boolean).join(', ');
  return [
    check.message,
    isHarnessError(check)
      ? 'harness error: the scenario could not run to its end (not a protocol rule)'
      : `rule: ${check.rule} (${check.clause}, [${check.basis}]${check.mandatory ? ', mandatory' : ', advisory'})`,
    ...(check.expected !== undefined ? [`expected: ${check.expected}`] : []),
    ...(check.actual !== undefined ? [`actual: ${check.actual}`] : []),
    `step: ${stepNumber(step)}. ${step.title} (${where})`,
  ].join('\n');
}

/** The evidence as plain text in one CDATA section; empty string when there is nothing to say. */
function systemOut(e: Evidence | undefined, preface?: string): string {
  const parts: string[] = preface ? [preface] : [];
  if (e?.request !== undefined) parts.push(`--- request ---\n${e.request}`);
  if (e?.response !== undefined || e?.httpStatus !== undefined) {
    const meta = [
      e.httpStatus !== undefined ? `HTTP ${e.httpStatus}` : '',
      e.durationMs !== undefined ? `${e.durationMs} ms` : '',
    ].filter(Boolean);
    parts.push(`--- response${meta.length ? ` (${meta.join(', ')})` : ''} ---\n${e.response ?? ''}`);
  }
  if (e?.highlight !== undefined) parts.push(`--- offending element: ${e.highlight}`);
  if (e?.notes?.length) parts.push(`--- notes ---\n${e.notes.join('\n')}`);
  return parts.length ? `      <system-out>${cdata(parts.join('\n'))}</system-out>` : '';
}
