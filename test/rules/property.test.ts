/** Property: whatever the ticket and context, the rules never throw and the answer is well-formed (§9). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exampleTicket } from '../../src/rules/examples.ts';
import { answerFor, checkMessage, checkTicket, type RuleContext } from '../../src/rules/index.ts';
import type { TicketValue } from '../../src/soap/model.ts';
import { decode, index, requestXml } from './helpers.ts';

const names = [...index.field.keys()];
const interesting = [
  ...index.profile.valueLists.flatMap((l) => [...l.values, ...(l.legacy ?? [])]),
  ...index.profile.closureCodes.map((c) => c.code),
  '380129866',
  '2024-03-05T10:15:00Z',
  '',
  ' ',
  '-1',
  '99999999999999999999',
];
const value = fc.oneof(
  fc.constant(null),
  fc.constantFrom(...interesting),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
);
const base = fc.constantFrom(...index.activeActions.map((a) => exampleTicket(a.id, index, { full: true })));
const ticket = fc
  .tuple(
    base,
    fc.dictionary(fc.constantFrom(...names), value, { maxKeys: 6 }),
    fc.uniqueArray(fc.constantFrom(...names), { maxLength: 4 }),
  )
  .map(([t, changes, drops]): TicketValue => {
    const out: TicketValue = { ...t, ...changes };
    for (const d of drops) delete out[d];
    return out;
  });
const ctx: fc.Arbitrary<RuleContext> = fc.record(
  {
    sender: fc.constantFrom('OC' as const, 'OI' as const),
    current: fc.record({
      state: fc.constantFrom(...index.profile.states.map((s) => s.name), 'NOWHERE'),
      lastUpdateVersionNumber: fc.integer({ min: -2, max: 10 }),
    }),
  },
  { requiredKeys: [] },
);
const operation = fc.constantFrom('createTroubleTicketByValue' as const, 'setTroubleTicketByValue' as const);

function wellFormed(findings: ReturnType<typeof checkTicket>['findings']) {
  const answer = answerFor(findings, index);
  if (answer.kind === 'returnCode') {
    expect([index.profile.returnCodes.missing, index.profile.returnCodes.invalid]).toContain(answer.code);
    const field = answer.label.split(' : ')[0]!;
    expect(index.field.has(field), answer.label).toBe(true);
  }
  for (const f of findings) expect(f.message.length).toBeGreaterThan(0);
}

describe('rule engine properties', () => {
  it('checkTicket never throws and answers a returnCode naming a profile field, ok, or a fault', () => {
    fc.assert(
      fc.property(ticket, operation, ctx, (t, op, c) => {
        wellFormed(checkTicket(t, op, index, c).findings);
      }),
      { numRuns: 300 },
    );
  });

  it('the same holds after an XML round trip with XSD validation', () => {
    fc.assert(
      fc.property(ticket, operation, ctx, (t, op, c) => {
        // XML 1.0 cannot carry most control characters: the writer's caller must not send them.
        const printable = Object.fromEntries(
          Object.entries(t).map(([k, v]) => [
            k,
            v === null
              ? v
              : v.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udfff]/g, ''),
          ]),
        );
        wellFormed(checkMessage(decode(requestXml(printable, op)), index, c).findings);
      }),
      { numRuns: 150 },
    );
  });
});
