/**
 * What a run result says about its scenarios and coverage: a failed advisory check never fails its
 * step or scenario (it is a warning, as it never fails the run), and coverage counts every check
 * about a transition or an action, not only the happy-path steps, so that a failed check never
 * sits beside "not covered" or "passed".
 */
import { describe, expect, it } from 'vitest';
import { defaultIndex } from '../../src/profile/index.ts';
import { plainProgress } from '../../src/scenario/progress.ts';
import {
  type CheckResult,
  percentText,
  type ScenarioResult,
  type StepResult,
  verdictOf,
} from '../../src/scenario/result.ts';
import { rulebookOf } from '../../src/scenario/rulebook.ts';
import { assemble, coverageLines, coverageOf, toolVersion } from '../../src/scenario/runner.ts';

const index = defaultIndex();
const book = rulebookOf(index);

const check = (rule: string, verdict: CheckResult['verdict'], mandatory = true): CheckResult => ({
  id: rule,
  title: `check ${rule}`,
  rule,
  clause: '§7',
  basis: 'spec',
  mandatory,
  verdict,
  message: `${rule} ${verdict}`,
});

const step = (i: number, checks: CheckResult[], extra: Partial<StepResult> = {}): StepResult => ({
  index: i,
  kind: 'step',
  title: `step ${i + 1}`,
  actor: 'OC',
  verdict: verdictOf(checks),
  durationMs: 1,
  checks,
  ...extra,
});

const scenario = (id: string, steps: StepResult[]): ScenarioResult => ({
  id,
  title: id,
  file: `${id}.yaml`,
  tags: [],
  clauses: [],
  verdict: verdictOf(steps),
  durationMs: 1,
  steps,
});

describe('verdicts follow mandatory checks only', () => {
  it('a failed advisory check leaves its step and scenario passing; a mandatory one fails them', () => {
    const advisory = step(0, [check('SOAP.ANSWER', 'pass'), check('SIREN.KEY', 'fail', false)]);
    expect(advisory.verdict).toBe('pass');
    expect(scenario('s', [advisory]).verdict).toBe('pass');
    const mandatory = step(0, [check('SIREN.KEY', 'fail', false), check('T1', 'fail')]);
    expect(mandatory.verdict).toBe('fail');
    expect(scenario('s', [advisory, mandatory]).verdict).toBe('fail');
    expect(verdictOf([check('HARNESS', 'error'), check('T1', 'fail')])).toBe('error');
  });

  it('counts such a scenario as passed, and the console shows the warning on its PASS line', () => {
    const s = scenario('oc-role.meta', [
      step(0, [check('META:getTroubleTicketTypes', 'pass'), check('SIREN.KEY', 'fail', false)]),
    ]);
    const run = assemble(
      [s],
      { index, book, role: 'oc', implementation: { name: 'x', endpoint: 'http://x', kind: 'url' } },
      '2025-01-01T00:00:00.000Z',
    );
    expect(run.totals).toMatchObject({ scenariosPassed: 1, failed: 1, mandatoryFailed: 0 });
    expect(run.verdict).toBe('pass');
    const lines: string[] = [];
    plainProgress((l) => lines.push(l)).onScenario?.('oc', s, 1, 1);
    expect(lines[0]).toMatch(
      /^PASS +\[oc\] 1\/1 oc-role\.meta .*warning \(advisory\): step 1 SIREN\.KEY: SIREN\.KEY fail$/,
    );
  });

  it('the console names the failed mandatory check as the root cause, not an earlier advisory one', () => {
    const s = scenario('x', [step(0, [check('SIREN.KEY', 'fail', false), check('T1', 'fail')])]);
    const lines: string[] = [];
    plainProgress((l) => lines.push(l)).onScenario?.('oc', s, 1, 1);
    expect(lines[0]).toMatch(/^FAIL .* — step 1 T1: T1 fail$/);
  });
});

describe('coverage counts every check about a transition or an action', () => {
  const env = { book, role: 'oc' as const };
  const item = (items: { id: string; exercised: boolean; passed: boolean; failed: boolean }[], id: string) =>
    items.find((i) => i.id === id)!;

  it('a failed T10 check in a step that did not perform T10 makes T10 and its action failed, not "not covered"', () => {
    const refused = step(2, [check('T10', 'fail')], { action: 'oi.cancellationAgreement' });
    const c = coverageOf([scenario('lifecycle.t3-t10', [refused])], index, env);
    expect(item(c.transitions, 'T10')).toMatchObject({ exercised: true, passed: false, failed: true });
    expect(item(c.actions, 'oi.cancellationAgreement')).toMatchObject({ exercised: true, failed: true });
  });

  it('failed field checks of oc.create make oc.create failed though its happy path passed', () => {
    const happy = step(0, [check('T1', 'pass')], { transition: 'T1', action: 'oc.create' });
    const omission = step(0, [check('MANDATORY:oc.create:defectClassId', 'fail')], { action: 'oc.create' });
    const condition = step(0, [
      check('CONDITION:oc.create.appointment-auto:SUAppointmentManagementId', 'fail'),
    ]);
    const c = coverageOf(
      [scenario('lifecycle.t1', [happy]), scenario('gen.a', [omission]), scenario('gen.b', [condition])],
      index,
      env,
    );
    expect(item(c.actions, 'oc.create')).toMatchObject({ exercised: true, passed: false, failed: true });
    expect(item(c.transitions, 'T1')).toMatchObject({ exercised: true, passed: true, failed: false });
    expect(coverageLines(c)[1]).toMatch(new RegExp(`^actions +1/${index.activeActions.length} exercised`));
    expect(coverageLines(c)[1]).toMatch(new RegExp(`0/${index.activeActions.length} passed \\(0%\\)$`));
  });

  it('a closure-code or illegal-state check counts for its transition or action; a passing one passes it', () => {
    const c = coverageOf(
      [scenario('g', [step(0, [check('CLOSURE:T9', 'pass'), check('ILLEGAL:oc.cancel@CLOSED', 'pass')])])],
      index,
      env,
    );
    expect(item(c.transitions, 'T9')).toMatchObject({ exercised: true, passed: true });
    expect(item(c.actions, 'oc.cancel')).toMatchObject({ exercised: true, passed: true });
    expect(item(c.transitions, 'T10')).toMatchObject({ exercised: false, passed: false });
  });
});

describe('one rounding of percentages', () => {
  it('rounds down to one decimal everywhere: 10/11 is 90.9%, never 91% nor 90%', () => {
    expect(percentText(10, 11)).toBe('90.9%');
    expect(percentText(1999, 2000)).toBe('99.9%');
    expect(percentText(5, 5)).toBe('100%');
    expect(percentText(0, 0)).toBe('-');
  });
});

describe('the implementation version', () => {
  it('an embedded implementation is reported with the tool version; a given one is kept', () => {
    const env = (kind: 'embedded' | 'url', version?: string) => ({
      index,
      book,
      role: 'oc' as const,
      implementation: { name: 'x', endpoint: 'http://x', kind, ...(version ? { version } : {}) },
    });
    expect(assemble([], env('embedded'), '').implementation.version).toBe(toolVersion());
    expect(assemble([], env('url', '4.2.1'), '').implementation.version).toBe('4.2.1');
    expect(assemble([], env('url'), '').implementation).not.toHaveProperty('version');
  });
});
