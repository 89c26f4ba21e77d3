/**
 * Tests generated from the profile: every active action, every mandatory field, every conditional
 * requirement, every formatted or listed field. A field or action added to the profile adds its
 * cases here with no new test code.
 */
import { describe, expect, it } from 'vitest';
import type { ActionDef, Condition } from '../../src/profile/index.ts';
import { conditionHolds } from '../../src/rules/action.ts';
import { wrongValues } from '../../src/rules/examples.ts';
import type { TicketValue } from '../../src/soap/model.ts';
import { errorsOf, example, index, judge, namesField } from './helpers.ts';

const { missing, invalid } = index.profile.returnCodes;
const actions = index.activeActions.map((a) => [a.id, a] as const);

/** Makes a condition hold on a ticket, using only profile data. */
function makeHold(c: Condition, ticket: TicketValue): TicketValue {
  if (conditionHolds(c, ticket)) return ticket;
  const w = c.when;
  const f = index.field.get(w.field)!;
  const listValues = f.list ? index.list.get(f.list)!.values : [];
  const value =
    'present' in w
      ? (ticket[w.field] ?? listValues[0] ?? 'x')
      : 'equals' in w
        ? w.equals
        : 'in' in w
          ? w.in[0]!
          : (listValues.find((v) => !w.notIn.includes(v)) ?? 'x');
  return { ...ticket, [w.field]: value };
}

describe.each(actions)('action %s', (_id, action: ActionDef) => {
  it.each([
    ['minimal', false],
    ['full', true],
  ])('a %s valid example yields no error and is identified', (_kind, full) => {
    const { ticket, ctx } = example(action, { full });
    const r = judge(ticket, action.operation, ctx);
    expect(errorsOf(r.direct.findings)).toEqual([]);
    expect(errorsOf(r.wire.findings)).toEqual([]);
    expect(r.answer).toEqual({ kind: 'ok' });
    expect(r.wire.action?.id).toBe(action.id);
    expect(action.transitions).toContain(r.wire.transition?.id);
  });

  it.each(action.mandatory)('dropping mandatory %s gives returnCode 1 naming it', (field) => {
    const { ticket, ctx } = example(action);
    const { [field]: _dropped, ...rest } = ticket;
    const r = judge(rest, action.operation, ctx);
    for (const answer of [r.answer, r.directAnswer]) {
      expect(answer.kind).toBe('returnCode');
      if (answer.kind !== 'returnCode') continue;
      expect(answer.code).toBe(missing);
      expect(namesField(answer.label, field), answer.label).toBe(true);
    }
  });

  it.each((action.oneOf ?? []).map((g) => [g.join('|'), g] as const))(
    'dropping every field of one-of group %s gives returnCode 1 naming its first field',
    (_name, group) => {
      const { ticket, ctx } = example(action, { full: true });
      const rest = Object.fromEntries(Object.entries(ticket).filter(([k]) => !group.includes(k)));
      const { answer } = judge(rest, action.operation, ctx);
      expect(answer).toMatchObject({ kind: 'returnCode', code: missing });
      if (answer.kind === 'returnCode') {
        expect(namesField(answer.label, group[0]!)).toBe(true);
        for (const f of group) expect(answer.label).toContain(f);
      }
    },
  );

  const conditional = (action.conditions ?? []).flatMap((c) =>
    c.require.map((f) => [`${c.id} → ${f}`, c, f] as const),
  );
  it.each(conditional)(
    'condition %s: dropping the required field gives returnCode 1 naming it',
    (_n, c, field) => {
      const { ticket, ctx } = example(action, { full: true });
      const holding = makeHold(c, ticket);
      expect(judge(holding, action.operation, ctx).answer).toEqual({ kind: 'ok' });
      const { [field]: _dropped, ...rest } = holding;
      const { answer, wire } = judge(rest, action.operation, ctx);
      expect(answer).toMatchObject({ kind: 'returnCode', code: missing });
      if (answer.kind === 'returnCode') expect(namesField(answer.label, field), answer.label).toBe(true);
      // Reported on the basis of the action's own row of model §8 ([spec] on the create only).
      const finding = errorsOf(wire.findings).find((f) => f.field === field)!;
      expect({ basis: finding.basis, clause: finding.clause }).toEqual(
        action.id === 'oc.create'
          ? { basis: 'spec', clause: 'spec 3.1.1' }
          : { basis: action.basis, clause: action.clause },
      );
    },
  );

  const { ticket: full } = example(action, { full: true });
  const wrong = index.profile.fields
    .filter((f) => full[f.name] !== undefined && full[f.name] !== null)
    .flatMap((f) =>
      wrongValues(f, index).map(
        (w) => [`${f.name} = ${w.value.slice(0, 20)} (${w.rule})`, f.name, w] as const,
      ),
    );
  it.each(wrong)('wrong value %s gives returnCode 2 naming the field', (_n, field, w) => {
    const { ticket, ctx } = example(action, { full: true });
    const r = judge({ ...ticket, [field]: w.value }, action.operation, ctx);
    for (const answer of [r.answer, r.directAnswer]) {
      expect(answer.kind).toBe('returnCode');
      if (answer.kind !== 'returnCode') continue;
      expect(answer.code).toBe(invalid);
      expect(namesField(answer.label, field), answer.label).toBe(true);
    }
    expect(r.direct.findings.some((f) => f.field === field && f.rule === w.rule)).toBe(true);
  });

  // A fixed field that is also the discriminator tells the action apart: another value is another action.
  const fixed = Object.entries(action.fixed ?? {}).filter(
    ([f]) => index.field.get(f)?.list && action.discriminator?.field !== f,
  );
  it.each(fixed)('fixed %s = %s: another value of its list gives returnCode 2 naming it', (field, fixed) => {
    const other = index.list.get(index.field.get(field)!.list!)!.values.find((v) => v !== fixed)!;
    const { ticket, ctx } = example(action, { full: true });
    const { answer, direct } = judge({ ...ticket, [field]: other }, action.operation, ctx);
    expect(answer).toMatchObject({ kind: 'returnCode', code: invalid });
    if (answer.kind === 'returnCode') expect(namesField(answer.label, field)).toBe(true);
    expect(direct.action?.id).toBe(action.id);
  });

  it.each(Object.entries(action.allowed ?? {}))(
    'allowed values of %s: another value gives returnCode 2 naming it',
    (field, allowed) => {
      const other = index.list.get(index.field.get(field)!.list!)!.values.find((v) => !allowed.includes(v))!;
      const { ticket, ctx } = example(action, { full: true });
      const { answer } = judge({ ...ticket, [field]: other }, action.operation, ctx);
      expect(answer).toMatchObject({ kind: 'returnCode', code: invalid });
      if (answer.kind === 'returnCode') expect(namesField(answer.label, field)).toBe(true);
    },
  );
});
