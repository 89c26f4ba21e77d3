/** The console line of a failing scenario names its root cause first, then the knock-on error. */
import { describe, expect, it } from 'vitest';
import { plainProgress, ttyProgress } from '../../src/scenario/progress.ts';
import type { CheckResult, ScenarioResult, StepResult } from '../../src/scenario/result.ts';

const check = (rule: string, verdict: CheckResult['verdict'], message: string): CheckResult => ({
  id: rule,
  title: rule,
  rule,
  clause: '§7',
  basis: 'interop',
  mandatory: true,
  verdict,
  message,
});
const step = (index: number, verdict: StepResult['verdict'], checks: CheckResult[]): StepResult => ({
  index,
  kind: index === 0 ? 'oc.create' : 'oi.takeInCharge',
  title: 't',
  actor: index === 0 ? 'OC' : 'OI',
  verdict,
  durationMs: 1,
  checks,
});

const KNOCK_ON = 'step 2 (scenarios/x.yaml:10): the ticket has no key: its create step failed';
const ROOT = 'the OC under test sent no createTroubleTicketByValue within 3000 ms';

/** As the run of walk-qa recorded it: the create fails, the next step cannot run. */
const knockOn: ScenarioResult = {
  id: 'lifecycle.t9',
  title: 't9',
  file: 'scenarios/x.yaml',
  tags: [],
  clauses: ['§7'],
  verdict: 'error',
  durationMs: 3018,
  error: KNOCK_ON,
  steps: [
    step(0, 'fail', [
      check('SOAP.ANSWER', 'fail', ROOT),
      check('T1', 'fail', 'expected returnCode 0, got no readable answer'),
    ]),
    step(1, 'error', [check('HARNESS', 'error', KNOCK_ON)]),
  ],
};

/** An error with no failed check before it: the error is the cause. */
const alone: ScenarioResult = {
  ...knockOn,
  id: 'alone',
  error: 'step 1 (scenarios/x.yaml:8): ECONNREFUSED 127.0.0.1:9',
  steps: [
    step(0, 'error', [check('HARNESS', 'error', 'step 1 (scenarios/x.yaml:8): ECONNREFUSED 127.0.0.1:9')]),
  ],
};

describe('progress of a scenario that stopped on an error', () => {
  it('plain lines: the first failed check first, then the error it caused', () => {
    const lines: string[] = [];
    const p = plainProgress((l) => lines.push(l));
    p.onScenario!('oi', knockOn, 1, 2);
    p.onScenario!('oi', alone, 2, 2);
    expect(lines[0]).toBe(
      `ERROR [oi] 1/2 lifecycle.t9 (3018 ms) — step 1 SOAP.ANSWER: ${ROOT}; then ${KNOCK_ON}`,
    );
    expect(lines[1]).toBe(
      'ERROR [oi] 2/2 alone (3018 ms) — step 1 (scenarios/x.yaml:8): ECONNREFUSED 127.0.0.1:9',
    );
  });

  it('on a terminal: the same line kept above the progress', () => {
    let text = '';
    const stream = {
      columns: 400,
      write: (s: string) => {
        text += s;
        return true;
      },
    } as unknown as NodeJS.WriteStream;
    const p = ttyProgress(stream);
    p.onStart!('oi', 1);
    p.onScenario!('oi', knockOn, 1, 1);
    expect(text.split('\r\x1b[2K')).toContain(
      `ERROR [oi] lifecycle.t9 — step 1 SOAP.ANSWER: ${ROOT}; then ${KNOCK_ON}\n`,
    );
  });
});
