/**
 * The catalogue in role oi (certifying an OC) against deliberately broken OCs, built in front of the
 * reference OC: each run fails on exactly the checks of the broken behaviour.
 */
import { describe, expect, it } from 'vitest';
import { defaultIndex } from '../../src/profile/index.ts';
import { runCatalogue } from '../../src/scenario/index.ts';
import type { RunResult } from '../../src/scenario/result.ts';
import { ocNeverAnswers, ocRefusesPushes } from './doubles.ts';

const index = defaultIndex();
/** Every OI transition's check is on the OC's answer to its push; the hostile recovery ends on one. */
const pushAnswerRules = [
  ...index.activeTransitions.filter((t) => t.actor === 'OI').map((t) => t.id),
  'HOSTILE.RECOVERY',
];

function failedRules(run: RunResult): string[] {
  const failed = new Set<string>();
  for (const s of run.scenarios)
    for (const st of s.steps)
      for (const c of st.checks) if (c.verdict !== 'pass' && c.verdict !== 'skip') failed.add(c.rule);
  return [...failed].sort();
}

describe('role oi against broken OCs', () => {
  it("an OC that answers the OI's pushes with returnCode 2 fails exactly the checks of the pushed transitions", async () => {
    const [run] = await runCatalogue({ roles: ['oi'], interceptOc: ocRefusesPushes });
    expect(run!.scenarios.filter((s) => s.verdict === 'error')).toEqual([]);
    expect(failedRules(run!)).toEqual([...pushAnswerRules].sort());
    const check = run!.scenarios
      .flatMap((s) => s.steps.flatMap((st) => st.checks))
      .find((c) => c.rule === 'T5' && c.verdict === 'fail')!;
    expect(check).toMatchObject({ expected: '0', basis: 'interop', clause: '§7' });
    expect(check.actual).toMatch(/^returnCode 2/);
    // Hand-made wrong pushes are still refused as the protocol requires: those checks pass.
    expect(run!.scenarios.find((s) => s.id === 'gen.oi.takeInCharge.mandatory.supplierName')!.verdict).toBe(
      'pass',
    );
  });

  it("an OC that never answers the OI's pushes fails exactly the delivery, answer and pushed-transition checks", async () => {
    const [run] = await runCatalogue({ roles: ['oi'], interceptOc: ocNeverAnswers, pushTimeoutMs: 150 });
    expect(run!.scenarios.filter((s) => s.verdict === 'error')).toEqual([]);
    expect(failedRules(run!)).toEqual([...pushAnswerRules, 'PUSH.DELIVERY', 'SOAP.ANSWER'].sort());
    const check = run!.scenarios
      .flatMap((s) => s.steps.flatMap((st) => st.checks))
      .find((c) => c.rule === 'PUSH.DELIVERY' && c.verdict === 'fail')!;
    expect(check.message).toMatch(/did not answer the push: no answer within 150 ms/);
  });
});
