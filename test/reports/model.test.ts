import { describe, expect, it } from 'vitest';
import { canonicalRun, compareIds, conformance, coverageStatus } from '../../src/reports/model.ts';
import type { CheckResult, RunResult } from '../../src/scenario/result.ts';
import { loadSample } from './generate.ts';

function runWith(checks: Partial<CheckResult>[], error?: string): RunResult {
  const base = loadSample();
  return {
    ...base,
    scenarios: [
      {
        id: 's',
        title: 's',
        file: 'f',
        tags: [],
        clauses: [],
        verdict: 'pass',
        durationMs: 1,
        ...(error ? { error } : {}),
        steps: [
          {
            index: 1,
            kind: 'oc.create',
            title: 't',
            actor: 'OC',
            verdict: 'pass',
            durationMs: 1,
            checks: checks.map((c, i) => ({
              id: `c${i}`,
              title: 'c',
              rule: 'R',
              clause: '§9',
              basis: 'spec',
              mandatory: true,
              verdict: 'pass',
              message: 'm',
              ...c,
            })),
          },
        ],
      },
    ],
  };
}

describe('conformance level', () => {
  it('is conformant when every mandatory check passes, whatever advisory checks say', () => {
    const c = conformance(runWith([{}, { basis: 'decision' }, { mandatory: false, verdict: 'fail' }]));
    expect(c.level).toBe('conformant');
    expect(c.advisory.failed).toBe(1);
  });

  it('separates a failure on a [decision] rule from a failure on a [spec] or [interop] rule', () => {
    expect(conformance(runWith([{}, { basis: 'decision', verdict: 'fail' }])).level).toBe(
      'conformant-except-decisions',
    );
    expect(
      conformance(
        runWith([
          { basis: 'interop', verdict: 'fail' },
          { basis: 'decision', verdict: 'fail' },
        ]),
      ).level,
    ).toBe('not-conformant');
    expect(conformance(runWith([{ verdict: 'error' }])).level).toBe('not-conformant');
  });

  it('is not assessed when nothing mandatory passed or a scenario could not finish', () => {
    expect(conformance(runWith([{ verdict: 'skip' }])).level).toBe('not-assessed');
    expect(conformance(runWith([{}], 'timed out')).level).toBe('not-assessed');
  });

  it('counts a harness error apart from every protocol rule: the run is incomplete, not non-conformant', () => {
    const c = conformance(
      runWith([{}, { rule: 'HARNESS', basis: 'decision', verdict: 'error' }], 'step 2: unknown variable'),
    );
    expect(c.harness).toEqual({ checks: 1, passed: 0, failed: 0, errors: 1, skipped: 0 });
    expect(c.decision.checks).toBe(0);
    expect(c.normative).toEqual({ checks: 1, passed: 1, failed: 0, errors: 0, skipped: 0 });
    expect(c.level).toBe('not-assessed');
  });

  it('counts the sample run per basis', () => {
    const c = conformance(loadSample());
    expect(c.normative).toEqual({ checks: 26, passed: 24, failed: 1, errors: 0, skipped: 1 });
    expect(c.decision).toEqual({ checks: 11, passed: 7, failed: 3, errors: 1, skipped: 0 });
    expect(c.level).toBe('not-conformant');
  });
});

describe('report order and coverage', () => {
  it('orders ids with numbers compared as numbers', () => {
    expect(['T10', 'T2', 'T1', 'a.b', 'T11'].sort(compareIds)).toEqual(['T1', 'T2', 'T10', 'T11', 'a.b']);
  });

  it('sorts scenarios by id and steps by index, keeping the checks in order', () => {
    const run = loadSample();
    const reversed = { ...run, scenarios: [...run.scenarios].reverse() };
    expect(canonicalRun(reversed).scenarios.map((s) => s.id)).toEqual(
      run.scenarios.map((s) => s.id).sort(compareIds),
    );
  });

  it('gives failed precedence over passed', () => {
    expect(coverageStatus({ id: 'T1', title: '', exercised: true, passed: true, failed: true })).toBe(
      'failed',
    );
    expect(coverageStatus({ id: 'T1', title: '', exercised: true, passed: false, failed: false })).toBe(
      'covered',
    );
    expect(coverageStatus(undefined)).toBe('not-covered');
  });
});
