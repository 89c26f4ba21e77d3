/**
 * The catalogue in role oc (certifying an OI) against deliberately broken OIs: each run fails on
 * exactly the checks of the broken behaviour and passes every other check.
 */
import { describe, expect, it } from 'vitest';
import { defaultIndex } from '../../src/profile/index.ts';
import { runCatalogue } from '../../src/scenario/index.ts';
import type { RunResult } from '../../src/scenario/result.ts';
import { illegalStates } from '../../src/scenario/rulebook.ts';
import type { Interceptor } from '../../src/scenario/targets.ts';
import {
  acceptsMissingField,
  allowsIllegalTransition,
  faultsWithHttp200,
  wrongFtthNamespace,
} from './doubles.ts';

const index = defaultIndex();

async function runAgainst(interceptOi: Interceptor): Promise<RunResult> {
  const [run] = await runCatalogue({ roles: ['oc'], interceptOi });
  return run!;
}

/** Rules of the failed checks, and how many checks passed. */
function outcome(run: RunResult) {
  const failed = new Set<string>();
  let passed = 0;
  for (const s of run.scenarios) {
    for (const step of s.steps) {
      for (const c of step.checks) {
        if (c.verdict === 'fail' || c.verdict === 'error') failed.add(c.rule);
        else if (c.verdict === 'pass') passed++;
      }
    }
  }
  return {
    failed: [...failed].sort(),
    passed,
    errors: run.scenarios.filter((s) => s.verdict === 'error').map((s) => s.id),
  };
}

describe('role oc against broken OIs', () => {
  it('an OI that accepts a create without troubleDescription fails exactly that mandatory-field check', async () => {
    const run = await runAgainst(acceptsMissingField('troubleDescription'));
    const o = outcome(run);
    expect(o.errors).toEqual([]);
    expect(o.failed).toEqual(['MANDATORY:oc.create:troubleDescription']);
    expect(run.verdict).toBe('fail');
    expect(o.passed).toBeGreaterThan(2000);
    const failing = run.scenarios.filter((s) => s.verdict === 'fail').map((s) => s.id);
    expect(failing).toEqual(['gen.oc.create.mandatory.troubleDescription']);
  });

  it('an OI that lets the OC cancel from any state fails exactly the illegal-transition checks of that action', async () => {
    const cancel = index.action.get('oc.cancel')!;
    const t = index.transition.get(cancel.transitions[0]!)!;
    const o = outcome(await runAgainst(allowsIllegalTransition(t.description, t.to as string)));
    expect(o.errors).toEqual([]);
    expect(o.failed).toEqual(
      illegalStates(cancel, index)
        .map((s) => `ILLEGAL:oc.cancel@${s}`)
        .sort(),
    );
    expect(o.failed).toHaveLength(3);
  });

  it('an OI that sends its SOAP faults with HTTP 200 fails exactly the HTTP status checks', async () => {
    const run = await runAgainst(faultsWithHttp200);
    const o = outcome(run);
    expect(o.errors).toEqual([]);
    expect(o.failed).toEqual(['SOAP.HTTP-STATUS']);
    // Every hostile input and authentication failure is concerned.
    const failing = run.scenarios.filter((s) => s.verdict === 'fail').map((s) => s.id);
    expect(failing).toEqual(
      expect.arrayContaining(['oc-role.auth', 'hostile.dtd', 'hostile.soap12', 'hostile.malformed']),
    );
  });

  it('an OI that answers in the SAV 3.0 ftth namespace fails exactly the namespace and schema checks, values still judged', async () => {
    const run = await runAgainst(wrongFtthNamespace);
    const o = outcome(run);
    expect(o.errors).toEqual([]);
    expect(o.failed).toEqual(['SOAP.NAMESPACE', 'SOAP.SCHEMA']);
    const check = run.scenarios
      .flatMap((s) => s.steps.flatMap((st) => st.checks))
      .find((c) => c.rule === 'SOAP.NAMESPACE' && c.verdict === 'fail')!;
    expect(check.message).toMatch(/in namespace "http:\/\/interop-fibre\.fr\/xml\/TroubleTicketValue\/v3-0"/);
    expect(check.evidence?.response).toContain('TroubleTicketValue/v3-0');
    expect(check.evidence?.highlight).toBeDefined();
  });
});
