/**
 * `sav-ftth run` when scenarios are skipped (the embedded mock performs no business refusal, so
 * `requires: [business-refusals]` scenarios are not run): a run with some skipped is a clean PASS
 * naming them; a run whose every selected scenario was skipped certified nothing, so it is not a
 * PASS and a CI gate does not pass it (exit 2, as "no scenario selected").
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/scenario/result.ts';
import { cli } from '../cli.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const T1 = path.join(ROOT, 'scenarios/lifecycle/t1-create.yaml');
const ERR01 = path.join(ROOT, 'scenarios/oc-role/business-refusal-unknown-pto.yaml');
const ERR04 = path.join(ROOT, 'scenarios/oc-role/business-refusal-other-ticket-open.yaml');

describe('sav-ftth run --role oc --tag business-refusal: every selected scenario skipped', () => {
  it('says NOT ASSESSED and why, writes reports saying so, and exits 2', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sav-ftth-skipped-'));
    const r = await cli(['run', '--role', 'oc', '--tag', 'business-refusal', '--report-dir', dir]);
    expect(r.code, r.err).toBe(2);
    expect(r.out).toMatch(/^role oc \(.+\): NOT ASSESSED$/m);
    expect(r.out).not.toMatch(/: PASS$/m);
    expect(r.out).toContain(
      '  Every selected scenario was skipped, so no check was assessed: needs business-refusals — ',
    );
    expect(r.out).toContain('  scenarios none run, 2 skipped; checks 0 passed');
    const [runDir] = readdirSync(dir).filter((d) => /^\d{4}-/.test(d));
    const read = (f: string) => readFileSync(path.join(dir, runDir!, f), 'utf8');
    const run = JSON.parse(read('run.json')) as RunResult;
    expect(run.schemaVersion).toBe('1.2');
    expect(run.verdict).toBe('not-assessed');
    expect(run.totals).toMatchObject({ scenarios: 2, scenariosPassed: 0, scenariosSkipped: 2, checks: 0 });
    expect(read('summary.md').split('\n')[0]).toBe('# ⚠️ SAV FTTH conformance: NOT ASSESSED');
    expect(read('report.html')).toContain('<div class="big">NOT ASSESSED</div>');
    expect(read('junit.xml').match(/<skipped message="needs business-refusals/g)).toHaveLength(2);
  }, 60_000);

  it('with --role both (the default), the role none of them applies to is not run', async () => {
    const r = await cli(['run', '--tag', 'business-refusal', '--no-report']);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain('sav-ftth run: role oi not run: none of the selected scenarios applies to it');
    expect(r.out).not.toMatch(/^role oi /m);
    expect(r.out).toMatch(/^role oc \(.+\): NOT ASSESSED$/m);
  }, 60_000);
});

describe('sav-ftth run with some scenarios skipped', () => {
  it('is a PASS (exit 0) counting the skipped ones apart, with their ids and reason', async () => {
    const r = await cli(['run', T1, ERR01, ERR04, '--role', 'oc', '--no-report', '--json']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/^role oc \(.+\): PASS$/m);
    expect(r.err).toContain('  scenarios 1/1 passed, 2 skipped; checks ');
    expect(r.err).toMatch(
      /^ {2}skipped \(needs business-refusals — .+\): oc-role\.business-refusal-unknown-pto, oc-role\.business-refusal-other-ticket-open$/m,
    );
    const [run] = JSON.parse(r.out) as RunResult[];
    expect(run!.verdict).toBe('pass');
    expect(run!.totals).toMatchObject({ scenarios: 3, scenariosPassed: 1, scenariosSkipped: 2 });
  }, 60_000);
});
