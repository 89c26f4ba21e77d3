/**
 * What the reports state, format against format: the implementation's own role and version, JUnit
 * counts reconciled with the totals of the other reports (or the difference said where they give
 * their totals), one rounding of percentages, both failure counts in the verdict headline.
 */
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { renderHtml, renderJunit, renderMarkdown } from '../../src/reports/index.ts';
import { junitCountDifferences } from '../../src/reports/model.ts';
import type { RunResult } from '../../src/scenario/result.ts';
import { coverageLines } from '../../src/scenario/runner.ts';
import { loadSample } from './generate.ts';

const parser = new XMLParser({
  ignoreAttributes: false,
  isArray: (n) => ['testsuite', 'testcase', 'property'].includes(n),
});

interface Root {
  '@_name': string;
  '@_tests': string;
  '@_failures': string;
  '@_errors': string;
  testsuite: {
    '@_name': string;
    '@_skipped': string;
    properties: { property: { '@_name': string; '@_value': string }[] };
  }[];
}
const junitRoot = (run: RunResult) => (parser.parse(renderJunit(run)) as { testsuites: Root }).testsuites;
const props = (suite: Root['testsuite'][number]) =>
  Object.fromEntries(suite.properties.property.map((p) => [p['@_name'], p['@_value']]));

/** The sample with one scenario not run (skipped before any step) added. */
function withSkippedScenario(): RunResult {
  const run = loadSample();
  run.scenarios.push({
    id: 'zz.business-refusal',
    title: 'refus métier',
    file: 'zz.yaml',
    tags: [],
    clauses: [],
    verdict: 'skip',
    durationMs: 0,
    steps: [],
    skipReason: 'needs business-refusals',
  });
  run.totals = {
    ...run.totals,
    scenarios: run.totals.scenarios + 1,
    scenariosSkipped: (run.totals.scenariosSkipped ?? 0) + 1,
  };
  return run;
}

describe('the implementation under test: its own role and its version', () => {
  it('JUnit names the implementation by its role (OI under test), never by the harness role', () => {
    const oc = junitRoot(loadSample());
    expect(oc['@_name']).toBe('sav-ftth-conformance: Acme OI 4.2.1 (OI under test)');
    expect(props(oc.testsuite[0]!)).toMatchObject({
      implementation: 'Acme OI',
      'implementation.version': '4.2.1',
      'implementation.role': 'OI',
    });
    const oi = junitRoot(loadSample('sample-run-oi.json'));
    expect(oi['@_name']).toMatch(/\(OC under test\)$/);
    expect(props(oi.testsuite[0]!)['implementation.role']).toBe('OC');
  });

  it('the version shows in the HTML and the Markdown', () => {
    expect(renderMarkdown(loadSample())).toContain('| Implementation under test | Acme OI 4.2.1 |');
    expect(renderHtml(loadSample())).toContain('<dt>Implementation</dt><dd>Acme OI 4.2.1</dd>');
  });
});

describe('JUnit counts against the other reports', () => {
  it('reconcile: failures + failed advisory checks = failed checks; testcases = checks + placeholders', () => {
    for (const run of [loadSample(), withSkippedScenario()]) {
      const d = junitCountDifferences(run);
      const root = junitRoot(run);
      expect(Number(root['@_failures']) + d.advisoryFailed).toBe(run.totals.failed);
      expect(Number(root['@_tests'])).toBe(run.totals.checks + d.skippedPlaceholders + d.errorPlaceholders);
    }
  });

  it('each report says why where it gives its totals: a failed advisory check is no JUnit failure', () => {
    const run = loadSample();
    expect(junitCountDifferences(run).advisoryFailed).toBe(1);
    const note = 'JUnit counts the failed advisory check as a passing testcase';
    expect(renderJunit(run)).toMatch(new RegExp(`<!--[^]*${note}[^]*-->\\n<testsuites`));
    const md = renderMarkdown(run);
    expect(md.indexOf(note)).toBeGreaterThan(md.indexOf('## Totals'));
    expect(md.indexOf(note)).toBeLessThan(md.indexOf('## Conformance'));
    const html = renderHtml(run);
    expect(html.indexOf(note)).toBeGreaterThan(html.indexOf('<h3>Totals</h3>'));
    const suite = junitRoot(run).testsuite.find((s) => s['@_name'] === 'siren.key.supplierID')!;
    expect(props(suite).warnings).toMatch(/^1 failed advisory check: passing testcase here/);
  });

  it('and one placeholder testcase per skipped scenario', () => {
    const run = withSkippedScenario();
    const note = 'JUnit adds one skipped testcase per skipped scenario (1)';
    expect(renderJunit(run)).toContain(note);
    expect(renderMarkdown(run)).toContain(note);
    expect(renderHtml(run)).toContain(note);
    const suite = junitRoot(run).testsuite.find((s) => s['@_name'] === 'zz.business-refusal')!;
    expect(props(suite).skipped).toMatch(/^scenario not run: one placeholder testcase/);
  });

  it('say nothing when the counts are the same', () => {
    const run = loadSample('sample-run-oi.json');
    const d = junitCountDifferences(run);
    expect(d).toEqual({ advisoryFailed: 0, skippedPlaceholders: 0, errorPlaceholders: 0 });
    expect(renderMarkdown(run)).not.toContain('JUnit');
  });
});

describe('the HTML marks an advisory failure as a warning on its scenario, which passes', () => {
  it('PASS with a warning badge', () => {
    expect(renderHtml(loadSample())).toMatch(
      /<summary><span class="b pass">PASS<\/span> <span class="b warn"[^>]*>1 warning<\/span> <code>siren\.key\.supplierID<\/code>/,
    );
  });
});

describe('one rounding of percentages', () => {
  it('the Markdown and HTML coverage give the percentages the console gives', () => {
    const run = loadSample();
    const console = coverageLines(run.coverage).join('\n');
    const pct = /exercised \((\d+(?:\.\d)?%)\)/.exec(console.split('\n')[0]!)![1]!;
    expect(pct).toBe('63.6%');
    expect(renderMarkdown(run)).toContain(`(${pct})`);
    expect(renderHtml(run)).toContain(`Transitions: 7/11 exercised (${pct})`);
  });
});

describe('the verdict headline', () => {
  it('names both the [spec]/[interop] and the [decision] failures when both exist', () => {
    expect(renderMarkdown(loadSample())).toContain(
      'mandatory \\[spec\\]/\\[interop\\] check and 4 mandatory \\[decision\\] checks failed.',
    );
    expect(renderJunit(loadSample())).toContain(
      '1 mandatory [spec]/[interop] check and 4 mandatory [decision] checks failed.',
    );
  });
});
