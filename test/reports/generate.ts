/**
 * Test data for the reports: the fixed sample runs, a generated large run, and a run whose every
 * text field is hostile.
 */
import { readFileSync } from 'node:fs';
import { parseRun } from '../../src/cli/report.ts';
import type { CheckResult, RunResult, ScenarioResult, StepResult } from '../../src/scenario/result.ts';

const fixture = (name: string) => new URL(`../fixtures/runs/${name}`, import.meta.url);

export function loadSample(name = 'sample-run.json'): RunResult {
  const loaded = parseRun(readFileSync(fixture(name), 'utf8'), name);
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  return loaded.run;
}

export const SAMPLES = ['sample-run.json', 'sample-run-oi.json'] as const;

/**
 * A run of `checks` checks, 4 per step and 2 steps per scenario, every step with its own real
 * request/response pair from the sample run (the heaviest case: no evidence shared across steps),
 * one check in seven failing.
 */
export function largeRun(checks = 1000): RunResult {
  const sample = loadSample();
  const exchanges = sample.scenarios
    .flatMap((s) => s.steps.flatMap((st) => st.checks.map((c) => c.evidence)))
    .filter((e) => e?.request !== undefined && e.response !== undefined);
  const scenarios: ScenarioResult[] = [];
  let n = 0;
  for (let s = 0; n < checks; s++) {
    const steps: StepResult[] = [];
    for (let st = 1; st <= 2 && n < checks; st++) {
      const evidence = exchanges[(s * 2 + st) % exchanges.length]!;
      const list: CheckResult[] = [];
      for (let c = 0; c < 4 && n < checks; c++, n++) {
        const fail = n % 7 === 3;
        list.push({
          id: `c${c + 1}`,
          title: `check ${n}`,
          rule: `RULE.${n % 23}`,
          clause: `§${(n % 9) + 1}`,
          basis: (['spec', 'interop', 'decision'] as const)[n % 3]!,
          mandatory: n % 11 !== 0,
          verdict: fail ? 'fail' : 'pass',
          expected: 'returnCode 2',
          actual: fail ? 'returnCode 0' : 'returnCode 2',
          message: fail ? 'returnCode : 2 attendu, 0 reçu' : 'conforme',
          evidence: { ...evidence, ...(fail ? { highlight: 'returnCode' } : {}) },
        });
      }
      steps.push({
        index: st,
        kind: 'oc.create',
        title: `step ${st}`,
        actor: 'OC',
        action: 'oc.create',
        verdict: list.some((c) => c.verdict === 'fail' && c.mandatory) ? 'fail' : 'pass',
        durationMs: 30,
        checks: list,
      });
    }
    scenarios.push({
      id: `generated.${String(s).padStart(4, '0')}`,
      title: `generated scenario ${s}`,
      file: '<generated>',
      tags: ['generated', `group-${s % 5}`],
      clauses: ['§9'],
      verdict: steps.some((x) => x.verdict === 'fail') ? 'fail' : 'pass',
      durationMs: 60,
      steps,
    });
  }
  const all = scenarios.flatMap((s) => s.steps.flatMap((st) => st.checks));
  return {
    ...sample,
    scenarios,
    totals: {
      scenarios: scenarios.length,
      scenariosPassed: scenarios.filter((s) => s.verdict === 'pass').length,
      checks: all.length,
      passed: all.filter((c) => c.verdict === 'pass').length,
      failed: all.filter((c) => c.verdict === 'fail').length,
      skipped: 0,
      errors: 0,
      mandatoryFailed: all.filter((c) => c.verdict === 'fail' && c.mandatory).length,
    },
  };
}

export const XSS = `"'><script>alert('xss')</script><img src=x onerror="alert(1)">]]>&amp;<!--`;

/** The sample run with every string a report prints replaced by (or suffixed with) hostile text. */
export function hostileRun(): RunResult {
  const run = structuredClone(loadSample());
  const evil = (s: string) => `${s}${XSS}`;
  run.implementation.name = evil(run.implementation.name);
  run.implementation.endpoint = evil(run.implementation.endpoint);
  for (const s of run.scenarios) {
    s.id = evil(s.id);
    s.title = evil(s.title);
    s.file = evil(s.file);
    s.tags = s.tags.map(evil);
    if (s.error !== undefined) s.error = evil(s.error);
    for (const st of s.steps) {
      st.title = evil(st.title);
      st.kind = evil(st.kind);
      for (const c of st.checks) {
        c.title = evil(c.title);
        c.rule = evil(c.rule);
        c.clause = evil(c.clause);
        c.message = evil(c.message);
        if (c.expected !== undefined) c.expected = evil(c.expected);
        if (c.actual !== undefined) c.actual = evil(c.actual);
        if (c.evidence) {
          if (c.evidence.request !== undefined)
            c.evidence.request = `${c.evidence.request}${XSS}<x onload="alert(2)">`;
          if (c.evidence.highlight !== undefined) c.evidence.highlight = evil(c.evidence.highlight);
          c.evidence.notes = [...(c.evidence.notes ?? []), XSS];
        }
      }
    }
  }
  for (const list of [run.coverage.transitions, run.coverage.actions, run.coverage.rules]) {
    for (const item of list) item.title = evil(item.title);
  }
  return run;
}
