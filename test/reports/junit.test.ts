import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { XmlDocument, XmlValidateError, XsdValidator } from 'libxml2-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { renderJunit } from '../../src/reports/index.ts';
import type { RunResult } from '../../src/scenario/result.ts';
import { fullRun } from './full-run.ts';
import { hostileRun, largeRun, loadSample, SAMPLES, XSS } from './generate.ts';

const xsdDoc = XmlDocument.fromString(readFileSync(new URL('./junit.xsd', import.meta.url), 'utf8'));
const xsd = XsdValidator.fromDoc(xsdDoc);
afterAll(() => {
  xsd.dispose();
  xsdDoc.dispose();
});

/** Validates against the JUnit schema; returns libxml2's messages (empty when valid). */
function junitErrors(xml: string): string[] {
  const doc = XmlDocument.fromString(xml);
  try {
    xsd.validate(doc);
    return [];
  } catch (e) {
    if (e instanceof XmlValidateError) return e.details.map((d) => d.message.trim());
    throw e;
  } finally {
    doc.dispose();
  }
}

interface Case {
  '@_classname': string;
  '@_name': string;
  '@_time': string;
  failure?: { '@_message': string; '@_type': string; '#text'?: string };
  error?: { '@_message': string; '#text'?: string };
  skipped?: { '@_message': string };
  'system-out'?: string;
}
interface Suite {
  '@_name': string;
  '@_tests': string;
  '@_failures': string;
  '@_errors': string;
  '@_skipped': string;
  testcase?: Case[];
}

/** Reads JUnit XML back the way a CI reader does. */
function readJunit(xml: string): { suites: Suite[]; root: Record<string, string> } {
  const parser = new XMLParser({
    ignoreAttributes: false,
    isArray: (name) => name === 'testsuite' || name === 'testcase' || name === 'property',
    processEntities: true,
    htmlEntities: true,
    parseTagValue: false,
    trimValues: false,
  });
  const doc = parser.parse(xml) as { testsuites: Record<string, string> & { testsuite?: Suite[] } };
  return { suites: doc.testsuites.testsuite ?? [], root: doc.testsuites };
}

const allCases = (suites: Suite[]) => suites.flatMap((s) => s.testcase ?? []);

describe('JUnit XML', () => {
  it.each(SAMPLES)('%s validates against the JUnit schema', (name) => {
    expect(junitErrors(renderJunit(loadSample(name)))).toEqual([]);
  });

  it('the schema really rejects what CI readers do not accept', () => {
    const good = renderJunit(loadSample());
    expect(junitErrors(good.replace('<testsuite name=', '<testsuite foo="1" name='))).not.toEqual([]);
    expect(
      junitErrors(
        good.replace('<testsuite name="auth.cross-oc" tests="4"', '<testsuite name="auth.cross-oc"'),
      ),
    ).not.toEqual([]);
    expect(junitErrors(good.replace('<properties>', '<testcase/><properties>'))).not.toEqual([]);
  });

  it('reads back with one suite per scenario and one testcase per check, counts matching the run', () => {
    const run = loadSample();
    const { suites, root } = readJunit(renderJunit(run));
    const scenarioErrors = run.scenarios.filter((s) => s.error !== undefined).length;
    expect(suites.map((s) => s['@_name']).sort()).toEqual(run.scenarios.map((s) => s.id).sort());
    const cases = allCases(suites);
    expect(cases).toHaveLength(run.totals.checks + scenarioErrors);
    expect(Number(root['@_tests'])).toBe(run.totals.checks + scenarioErrors);
    const mandatoryFailed = run.scenarios
      .flatMap((s) => s.steps.flatMap((st) => st.checks))
      .filter((c) => c.verdict === 'fail' && c.mandatory).length;
    expect(cases.filter((c) => c.failure)).toHaveLength(mandatoryFailed);
    expect(Number(root['@_failures'])).toBe(mandatoryFailed);
    expect(cases.filter((c) => c.error)).toHaveLength(run.totals.errors + scenarioErrors);
    expect(Number(root['@_errors'])).toBe(run.totals.errors + scenarioErrors);
    expect(cases.filter((c) => c.skipped)).toHaveLength(run.totals.skipped);
    for (const s of suites) {
      const own = s.testcase ?? [];
      expect(Number(s['@_tests'])).toBe(own.length);
      expect(Number(s['@_failures'])).toBe(own.filter((c) => c.failure).length);
      expect(Number(s['@_errors'])).toBe(own.filter((c) => c.error).length);
      expect(Number(s['@_skipped'])).toBe(own.filter((c) => c.skipped).length);
      for (const c of own) expect(c['@_classname']).toBe(`${run.implementation.role}.${s['@_name']}`);
    }
  });

  it('names each testcase after its step and check, and a failure carries the message, rule, clause, basis and evidence', () => {
    const { suites } = readJunit(renderJunit(loadSample()));
    const c = allCases(suites).find(
      (x) => x['@_name'] === '4. Résolution poussée par l OI › serviceRestoredTime présent pour RET01',
    );
    expect(c?.['@_classname']).toBe('oc.happy.full-cycle');
    expect(c?.failure?.['@_type']).toBe('oi.resolution.restored-time');
    expect(c?.failure?.['@_message']).toBe(
      'serviceRestoredTime : obligatoire pour une résolution par l OI (RET01)',
    );
    expect(c?.failure?.['#text']).toContain('rule: oi.resolution.restored-time (§8, [decision], mandatory)');
    expect(c?.failure?.['#text']).toContain('actual: absent');
    expect(c?.['system-out']).toContain('--- request ---\n<?xml');
    expect(c?.['system-out']).toContain(
      '<ftth:troubleTicketClosureCode>RET01</ftth:troubleTicketClosureCode>',
    );
    expect(c?.['system-out']).toContain('--- offending element: serviceRestoredTime');
  });

  it('keeps a failed advisory check out of the failures, with the warning in system-out', () => {
    const { suites } = readJunit(renderJunit(loadSample()));
    const c = allCases(suites).find((x) => x['@_name'].includes('clé SIREN fausse acceptée'));
    expect(c?.failure).toBeUndefined();
    expect(c?.['system-out']).toContain('advisory check failed (does not fail the run)');
  });

  it('reports a scenario that could not finish as an error testcase', () => {
    const { suites } = readJunit(renderJunit(loadSample()));
    const suite = suites.find((s) => s['@_name'] === 'push.cancellation-agreement')!;
    const c = suite.testcase!.find((x) => x['@_name'] === 'scenario error');
    expect(c?.error?.['@_message']).toMatch(/^timed out after 5000 ms/);
  });

  it('counts a scenario that could not run once: its HARNESS check, no extra testcase', () => {
    const run = structuredClone(fullRun) as RunResult;
    const s = run.scenarios[0]!;
    const long = `step 1 (scenarios/full.yaml:7): internal error: ${'x'.repeat(10_000)}`;
    delete s.bookkeeping;
    s.error = long;
    s.verdict = 'error';
    s.steps[0]!.index = 0;
    // The engine bounds the check's message, not the scenario's error: the two texts differ.
    s.steps[0]!.checks = [
      { ...s.steps[0]!.checks[0]!, rule: 'HARNESS', verdict: 'error', message: long.slice(0, 4096) },
    ];
    const xml = renderJunit(run);
    expect(junitErrors(xml)).toEqual([]);
    const { suites, root } = readJunit(xml);
    const cases = allCases(suites);
    expect(cases.map((c) => c['@_name'])).toEqual(['1. Création › returnCode 1']);
    expect(cases[0]!.error?.['#text']).toContain('harness error: the scenario could not run to its end');
    expect([root['@_tests'], root['@_errors'], root['@_failures']]).toEqual(['1', '1', '0']);
  });

  it.each([
    ['1.2', { skipReason: 'needs other-oc' }],
    ['1.1 (the reason as an error "skipped: …")', { error: 'skipped: needs other-oc' }],
  ])(
    'shows a scenario skipped before its first step (run result %s) as a skipped testcase with its reason, not an error',
    (_v, fields) => {
      const run = structuredClone(fullRun) as RunResult;
      const s = run.scenarios[0]!;
      delete s.error;
      delete s.skipReason;
      Object.assign(s, { verdict: 'skip', steps: [] }, fields);
      const xml = renderJunit(run);
      expect(junitErrors(xml)).toEqual([]);
      const { suites, root } = readJunit(xml);
      const [c, ...rest] = allCases(suites);
      expect(rest).toEqual([]);
      expect(c!['@_name']).toBe('scenario skipped');
      expect(c!.skipped?.['@_message']).toBe('needs other-oc');
      expect(c!.error).toBeUndefined();
      expect(suites[0]!['@_skipped']).toBe('1');
      expect(root['@_errors']).toBe('0');
    },
  );

  it('keeps evidence holding "]]>" and control characters well-formed, and reads it back intact', () => {
    const run = structuredClone(fullRun) as RunResult;
    const check = run.scenarios[0]!.steps[0]!.checks[0]!;
    check.evidence!.request = '<a><![CDATA[x]]></a> then ]]> and ]]]]> and \u0001\u0008 end';
    const xml = renderJunit(run);
    expect(junitErrors(xml)).toEqual([]);
    const c = allCases(readJunit(xml).suites)[0]!;
    expect(c['system-out']).toContain('<a><![CDATA[x]]></a> then ]]> and ]]]]> and \uFFFD\uFFFD end');
  });

  it('escapes hostile text in every attribute and text node', () => {
    const xml = renderJunit(hostileRun());
    expect(junitErrors(xml)).toEqual([]);
    const { suites } = readJunit(xml);
    expect(suites[0]!['@_name']).toContain(XSS);
    const failed = allCases(suites).find((c) => c.failure)!;
    expect(failed.failure!['@_message']).toContain(XSS);
  });

  describe('testcase names, which CI tools key test cases by (GitLab drops a repeated one)', () => {
    const keys = (xml: string) =>
      allCases(readJunit(xml).suites).map((c) => `${c['@_classname']}::${c['@_name']}`);
    const repeated = (list: string[]) => list.filter((k, i) => list.indexOf(k) !== i);

    /** A step that sends two requests (a read-back get, then the action) judged by same-titled checks. */
    function twoAnswersInOneStep(): RunResult {
      const run = structuredClone(loadSample());
      const step = run.scenarios.find((s) => s.steps.length > 0)!.steps[0]!;
      const again = step.checks.map((c) => ({ ...c, id: `${c.id}#2` }));
      step.checks.push(...again);
      // Another step with the same title and number as the first (a hand-edited run.json).
      run.scenarios[0]!.steps.push({ ...step, checks: [...step.checks] });
      return run;
    }

    it('are unique within the file when a step repeats a check title, and every check is still a testcase', () => {
      const run = twoAnswersInOneStep();
      const xml = renderJunit(run);
      expect(junitErrors(xml)).toEqual([]);
      const list = keys(xml);
      expect(repeated(list)).toEqual([]);
      const checks = run.scenarios.flatMap((s) => s.steps.flatMap((st) => st.checks)).length;
      const scenarioErrors = run.scenarios.filter((s) => s.error !== undefined).length;
      expect(list).toHaveLength(checks + scenarioErrors);
    });

    it('keep the name of a check whose title is not repeated, and tell a repeated one by its check id', () => {
      const run = twoAnswersInOneStep();
      const scenario = run.scenarios.find((s) => s.steps.length > 0)!;
      const step = scenario.steps[0]!;
      const first = step.checks[0]!;
      const names = allCases(readJunit(renderJunit(run)).suites)
        .filter((c) => c['@_classname'] === `${run.implementation.role}.${scenario.id}`)
        .map((c) => c['@_name']);
      const base = `${step.index + 1}. ${step.title} › ${first.title}`;
      expect(names).toContain(base);
      expect(names).toContain(`${base} [${first.id}#2]`);
    });

    it('are the same bytes on every rendering of the same run', () => {
      const run = twoAnswersInOneStep();
      expect(keys(renderJunit(structuredClone(run)))).toEqual(keys(renderJunit(run)));
    });

    it('carry the role in the classname, so the two files of --role both share no (classname, name)', () => {
      const oc = loadSample();
      const oi = structuredClone(oc);
      oi.implementation.role = 'oi';
      const ocKeys = keys(renderJunit(oc));
      const oiKeys = new Set(keys(renderJunit(oi)));
      expect(ocKeys.filter((k) => oiKeys.has(k))).toEqual([]);
      const { suites } = readJunit(renderJunit(oc));
      const cross = suites.find((s) => s['@_name'] === 'auth.cross-oc')!;
      // The suite keeps the scenario id (as run.json, the HTML and the Markdown name it).
      expect(cross.testcase!.every((c) => c['@_classname'] === 'oc.auth.cross-oc')).toBe(true);
    });
  });

  it('stays valid and consistent for 1,000 checks', () => {
    const run = largeRun(1000);
    const xml = renderJunit(run);
    expect(junitErrors(xml)).toEqual([]);
    expect(allCases(readJunit(xml).suites)).toHaveLength(1000);
  });
});
