/**
 * A scenario skipped because the target lacks what it needs (`requires:`) is a first-class outcome:
 * counted as skipped in every report, with its reason, never as an incomplete run nor a failure.
 * Run results 1.0/1.1 wrote it as an error starting with "skipped:": they read the same.
 */
import { describe, expect, it } from 'vitest';
import { parseRun } from '../../src/cli/report.ts';
import { renderHtml, renderJunit, renderMarkdown } from '../../src/reports/index.ts';
import { conformance } from '../../src/reports/model.ts';
import type { RunResult, ScenarioResult } from '../../src/scenario/result.ts';
import { loadSample } from './generate.ts';

const REASON = 'needs business-refusals';

/** The OI sample without its failures: one scenario that passed, plus skipped ones. */
function runWithSkipped(version: '1.1' | '1.2', skipped: number, keepPassed = true): RunResult {
  const base = loadSample('sample-run-oi.json');
  const passed = base.scenarios.filter((s) => s.verdict === 'pass' && !s.bookkeeping);
  expect(passed.length).toBeGreaterThan(0);
  const skips: ScenarioResult[] = Array.from({ length: skipped }, (_, i) => ({
    id: `oc-role.business-refusal-${i + 1}`,
    title: `Refus métier ${i + 1}`,
    file: `scenarios/oc-role/business-refusal-${i + 1}.yaml`,
    tags: ['business-refusal'],
    clauses: ['§9'],
    verdict: 'skip',
    durationMs: 0,
    steps: [],
    ...(version === '1.1' ? { error: `skipped: ${REASON}` } : { skipReason: REASON }),
  }));
  const scenarios = [...(keepPassed ? passed : []), ...skips];
  const checks = scenarios.flatMap((s) => s.steps.flatMap((st) => st.checks));
  const run: RunResult = {
    ...base,
    schemaVersion: version,
    scenarios,
    totals: {
      scenarios: scenarios.length,
      scenariosPassed: scenarios.filter((s) => s.verdict === 'pass').length,
      ...(version === '1.2' ? { scenariosSkipped: skipped } : {}),
      checks: checks.length,
      passed: checks.filter((c) => c.verdict === 'pass').length,
      failed: 0,
      skipped: 0,
      errors: 0,
      mandatoryFailed: 0,
    },
    verdict: scenarios.some((s) => s.verdict === 'pass')
      ? 'pass'
      : version === '1.2'
        ? 'not-assessed'
        : 'pass',
  };
  // Through the reader, as `sav-ftth report` takes a run.json of any supported version.
  const loaded = parseRun(JSON.stringify(run), `run-${version}.json`);
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  return loaded.run;
}

describe.each(['1.1', '1.2'] as const)('skipped scenarios in a run result %s', (version) => {
  const run = runWithSkipped(version, 3);

  it('leave the run conformant: skipped, not incomplete', () => {
    const c = conformance(run);
    expect(c.level).toBe('conformant');
    expect(c.scenarioErrors).toBe(0);
    expect(c.skipped.map((s) => [s.scenario.id, s.reason])).toEqual([
      ['oc-role.business-refusal-1', REASON],
      ['oc-role.business-refusal-2', REASON],
      ['oc-role.business-refusal-3', REASON],
    ]);
    expect(c.statement).toBe(
      `Every mandatory check passed, [spec]/[interop] and [decision] rules alike. 3 scenarios skipped: ${REASON}.`,
    );
  });

  it('summary.md: PASS, the skipped scenarios listed with why, none "could not finish"', () => {
    const md = renderMarkdown(run);
    expect(md.split('\n')[0]).toBe('# ✅ SAV FTTH conformance: PASS');
    expect(md).toContain('**Conformant.**');
    expect(md).not.toMatch(/Not assessed|could not run to the end|could not finish/);
    expect(md).toContain('## Skipped scenarios (3)');
    expect(md).toContain(`- \`oc-role.business-refusal-2\`: ${REASON}`);
    // scenarios passed (of those that ran) | scenarios skipped
    expect(md).toMatch(/^\| 1\/1 \| 3 \| \d+ \|/m);
  });

  it('report.html: PASS, a skipped card and section, no harness error', () => {
    const html = renderHtml(run);
    expect(html).toContain('<div class="big">PASS</div>');
    expect(html).toContain('<div class="level">Conformant</div>');
    expect(html).not.toMatch(/Harness errors|Could not run to the end/);
    expect(html).toContain('<h3>Skipped scenarios</h3><div><strong>3 scenarios</strong> not assessed</div>');
    expect(html).toContain('<h2>Skipped scenarios (3)</h2>');
    expect(html).toContain(`<p class="mute">Skipped: ${REASON}</p>`);
  });

  it('junit.xml: one skipped testcase each, with the reason, no error', () => {
    const xml = renderJunit(run);
    expect(xml.match(new RegExp(`<skipped message="${REASON}"/>`, 'g'))).toHaveLength(3);
    expect(xml).toMatch(/<testsuites [^>]*errors="0"/);
    expect(xml).not.toContain('<error');
  });
});

describe('a run whose every scenario was skipped', () => {
  it.each(['1.1', '1.2'] as const)('is not assessed, saying why (run result %s)', (version) => {
    const run = runWithSkipped(version, 2, false);
    const c = conformance(run);
    expect(c.level).toBe('not-assessed');
    expect(c.statement).toBe(`Every selected scenario was skipped, so no check was assessed: ${REASON}.`);
    expect(renderMarkdown(run)).toContain(`**Not assessed.** ${c.statement}`);
  });

  it('says NOT ASSESSED, never PASS, in every report (1.2 verdict not-assessed)', () => {
    const run = runWithSkipped('1.2', 2, false);
    expect(run.verdict).toBe('not-assessed');
    expect(renderMarkdown(run).split('\n')[0]).toBe('# ⚠️ SAV FTTH conformance: NOT ASSESSED');
    const html = renderHtml(run);
    expect(html).toContain('<header class="verdict v-not-assessed">');
    expect(html).toContain('<div class="big">NOT ASSESSED</div>');
    expect(html).not.toContain('<div class="big">PASS</div>');
    expect(renderJunit(run)).toContain(
      'verdict: NOT ASSESSED, Not assessed: Every selected scenario was skipped',
    );
  });

  it('names each reason with its count when they differ', () => {
    const run = runWithSkipped('1.2', 2, false);
    run.scenarios[1]!.skipReason = 'needs other-oc';
    expect(conformance(run).statement).toBe(
      `Every selected scenario was skipped, so no check was assessed: 1 scenario: ${REASON}; 1 scenario: needs other-oc.`,
    );
  });
});
